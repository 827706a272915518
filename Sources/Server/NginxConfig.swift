import Foundation
import Core
import Generator

/// Renders the production Nginx configuration: public files from `out/` and the panel as plain
/// files, `/track/` and `/api/` proxied to keep-alive upstreams. The same headers `attendify
/// serve` sends, so a widget looks the same to a browser through either.
public struct NginxConfig: Sendable {
    public var listen = "80"
    public var serverName = "_"
    public var outputDirectory = "/var/lib/attendify/out"
    public var panelDirectory = "/opt/attendify/Panel"
    public var apiUpstream = "127.0.0.1:8081"
    public var trackUpstream = "127.0.0.1:8082"
    /// When set, a complete `nginx.conf` whose pid, logs and temp files live under this folder,
    /// runnable by a non-root user (`nginx -p PREFIX -c PREFIX/nginx.conf`).
    public var standalonePrefix: String?
    public var rateLimits = true
    /// Webroot of Let's Encrypt HTTP-01 challenges (`certbot --webroot -w`).
    public var acmeRoot = "/var/www/letsencrypt"
    /// Certificate and key (e.g. Let's Encrypt's fullchain.pem and privkey.pem): when both are
    /// set, the site listens with TLS on `listen`, sends HSTS, and port 80 only redirects.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// What the access log records (`nginx-config --access-log`).
    public var accessLog = AccessLog.private
    /// The error log's level for our server blocks (`nginx-config --error-log-level`). Nginx
    /// names the client ("client: 1.2.3.4") on most request-time lines; at `crit` those are left
    /// out (404 open() failures, rate-limit rejections, upstream errors).
    public var errorLogLevel = "crit"
    /// Where the site's logs go (Debian's logrotate rotates /var/log/nginx/*.log). With
    /// `standalonePrefix` they go under the prefix instead.
    public var logDirectory = "/var/log/nginx"

    /// The access log choices.
    public enum AccessLog: String, Sendable, CaseIterable {
        /// `attendify_private`: time, method, path, status, bytes, timings. No client address,
        /// user agent, referrer, query string or cookie.
        case `private`
        /// No access log at all.
        case off
        /// Nginx's `combined` format: client address, user agent and referrer. Only with a legal
        /// basis (pairs with the tracker's `--store-client-info`).
        case full
    }

    /// Levels `errorLogLevel` may take (Nginx's, without `debug`, which needs a debug build).
    public static let errorLogLevels = ["info", "notice", "warn", "error", "crit", "alert", "emerg"]

    /// The routes that take credentials or mailed tokens, or send mail to any address: only
    /// POSTs to these are rate limited per address by the `attendify_auth` zone. Everything else
    /// under /api/, the session check every panel load makes included, is not limited by it.
    public static let credentialRoutes = [
        "/api/auth/login", "/api/auth/register", "/api/auth/password-reset", "/api/auth/password-reset/confirm", "/api/auth/email/confirm",
    ]

    /// The private access log format: nothing that identifies a visitor. `$uri` is the path
    /// without the query string (after our rewrites: a widget logs as its index.html).
    static let privateLogFormat =
        "log_format attendify_private '$time_iso8601 \"$request_method $uri\" $status $body_bytes_sent $request_time $upstream_response_time';"

    var tls: (certificate: String, key: String)? {
        guard let tlsCertificate, let tlsKey else { return nil }
        return (tlsCertificate, tlsKey)
    }

    public init() {}

    /// The public id pattern, the same one `PublicID` enforces.
    static let idPattern = "[A-Za-z0-9_-]{16,64}"

    static let widgetCSP = PagePolicy.widgetCSP
    static let eventPageCSP = PagePolicy.eventPageCSP
    static let panelCSP =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// A widget's or event page's folder (`$attendify_folder`): the visitor's language variant
    /// when the widget publishes one, else `index.html` in the fallback location. Variants go
    /// without an ETag: Nginx's (mtime and size) can be shared by two languages written in the
    /// same instant, and one variant's tag must never revalidate another's (Last-Modified still
    /// validates). `index.html` keeps its ETag.
    private func pageLocation(csp: String, fallback: String) -> String {
        """
        gzip_static on;
        try_files $attendify_folder/index$attendify_language.html \(fallback);
        etag off;
        \(pageHeaders(csp: csp))
        """
    }

    private func pageFallback(csp: String) -> String {
        """
        gzip_static on;
        rewrite ^ $attendify_folder/index.html break;
        \(pageHeaders(csp: csp))
        """
    }

    private func pageHeaders(csp: String) -> String {
        """
        default_type "text/html; charset=utf-8";
        types { }
        add_header Content-Security-Policy "\(csp)" always;
        add_header Vary "Accept-Encoding, Accept-Language" always;
        \(publicFileHeaders)
        error_page 404 = @not_found;
        """
    }

    public func render() -> String {
        guard let prefix = standalonePrefix else { return site() }
        return """
            # Attendify: standalone nginx.conf (generated by `attendify nginx-config --standalone \(prefix)`).
            worker_processes auto;
            pid \(prefix)/nginx.pid;
            error_log \(prefix)/error.log warn;

            events {
                worker_connections 4096;
            }

            http {
                include /etc/nginx/mime.types;
                default_type application/octet-stream;
                access_log off;  # each server block names its own (nginx-config --access-log)
                client_body_temp_path \(prefix)/tmp/client_body;
                proxy_temp_path \(prefix)/tmp/proxy;
                fastcgi_temp_path \(prefix)/tmp/fastcgi;
                uwsgi_temp_path \(prefix)/tmp/uwsgi;
                scgi_temp_path \(prefix)/tmp/scgi;
                sendfile on;
                tcp_nopush on;
                keepalive_timeout 65;
                keepalive_requests 100000;
                server_tokens off;

            \(site().split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    \($0)" }.joined(separator: "\n"))
            }

            """
    }

    // Nginx drops inherited add_header lines in any block that has its own, so every block
    // repeats the security headers (and HSTS under TLS).
    private var securityHeaders: String {
        let hsts = tls == nil ? "" : "\nadd_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;"
        return """
            add_header X-Content-Type-Options "nosniff" always;
            add_header Referrer-Policy "strict-origin-when-cross-origin" always;\(hsts)
            """
    }

    /// A public file: cached a minute, readable from any origin.
    private var publicFileHeaders: String {
        """
        add_header Cache-Control "public, max-age=60" always;
        add_header Access-Control-Allow-Origin "*" always;
        \(securityHeaders)
        """
    }

    /// The `http`-level part: include it from `/etc/nginx/sites-enabled/`.
    func site() -> String {
        let hsts = tls == nil ? "" : "\nadd_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;"
        let security = securityHeaders
        let publicFile = publicFileHeaders
        // Feeds are polled: five minutes fresh, then revalidated by ETag (a 304 while unchanged).
        let feedFile = publicFile.replacingOccurrences(of: "public, max-age=60", with: "public, max-age=300")
        let limitZones =
            rateLimits
            ? """
            # Per-address request limits in front of the app's own (which count clicks and failed logins).
            limit_req_zone $binary_remote_addr zone=attendify_track:10m rate=30r/s;
            # Credential routes: only POSTs count (a request whose key is empty is not limited).
            map $request_method $attendify_credential_client {
                POST $binary_remote_addr;
                default "";
            }
            limit_req_zone $attendify_credential_client zone=attendify_auth:10m rate=10r/m;
            limit_req_status 429;
            # Rejections logged at info, delays at debug: below the error log's level, since Nginx
            # names the client on each line. The 429s are in the access log.
            limit_req_log_level info;


            """ : "# Rate limits: off (nginx-config --rate-limits off).\n\n"
        let trackLimit = rateLimits ? "        limit_req zone=attendify_track burst=60 nodelay;\n" : ""
        let proxy = """
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            # The app believes X-Forwarded-For only from this proxy and takes its last entry.
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            """
        return """
            # Attendify site (generated by `attendify nginx-config`).
            upstream attendify_api {
                server \(apiUpstream);
                keepalive 16;
            }

            upstream attendify_track {
                server \(trackUpstream);
                keepalive 64;
                # Below the tracker's --request-timeout (10 s), so Nginx retires an idle connection
                # before the tracker closes it under a request in flight.
                keepalive_timeout 5s;
            }

            # A widget (and event page) that follows the visitor's language has one file per language
            # beside index.html: the first language the browser lists that Attendify publishes
            # picks it (browsers list by preference; `attendify serve` also weighs q-values). The
            # default names no file, so a page without variants is served from its fallback location.
            map $http_accept_language $attendify_language {
                default ".none";
                "~*^(?:[^,]*,)*?\\s*(\(WidgetLanguage.allCases.map(\.rawValue).joined(separator: "|")))(?![a-z])" ".$1";
            }

            \(logFormat)\(limitZones)\(redirectServer)server {
                \(listenDirectives)
                server_name \(serverName);
                \(indent(logDirectives, 4))
                root \(outputDirectory);
                charset utf-8;
                etag on;
                gzip off;
                \(indent(security, 4))

                # Let's Encrypt HTTP-01 challenges (certbot --webroot -w \(acmeRoot)).
                location /.well-known/acme-challenge/ {
                    root \(acmeRoot);
                }

                # Widgets (an event's, or one placement's one folder down): framable by any site,
                # cached briefly (a change shows within a minute).
                location ~ "^/widget/event/(\(Self.idPattern))(/\(Self.idPattern))?/?$" {
                    set $attendify_folder /widget/event/$1$2;
                    \(indent(pageLocation(csp: Self.widgetCSP, fallback: "@attendify_widget"), 8))
                }

                location @attendify_widget {
                    \(indent(pageFallback(csp: Self.widgetCSP), 8))
                }

                # The shareable event page: like the widget, but never framed.
                location ~ "^/e/(\(Self.idPattern))/?$" {
                    set $attendify_folder /e/$1;
                    \(indent(pageLocation(csp: Self.eventPageCSP, fallback: "@attendify_page"), 8))
                }

                location @attendify_page {
                    \(indent(pageFallback(csp: Self.eventPageCSP), 8))
                }

                location ~ "^/calendar/(\(Self.idPattern))/download\\.ics$" {
                    types { }
                    default_type "text/calendar; charset=utf-8";
                    add_header Content-Disposition 'attachment; filename="event.ics"' always;
                    \(indent(publicFile, 8))
                    error_page 404 = @not_found;
                }

                # Subscription feeds (an event's own, an organizer's): shown inline, polled cheaply.
                location ~ "^/calendar/(\(Self.idPattern))/feed\\.ics$" {
                    types { }
                    default_type "text/calendar; charset=utf-8";
                    \(indent(feedFile, 8))
                    error_page 404 = @not_found;
                }

                location ~ "^/feed/(\(Self.idPattern))/calendar\\.ics$" {
                    types { }
                    default_type "text/calendar; charset=utf-8";
                    \(indent(feedFile, 8))
                    error_page 404 = @not_found;
                }

                location /track/ {
            \(trackLimit)        proxy_pass http://attendify_track;
                    # Its own add_header stops the server-level Referrer-Policy from being added to
                    # the tracker's own `no-referrer`.
                    add_header X-Content-Type-Options "nosniff" always;\(hsts.isEmpty ? "" : "\n        " + hsts.dropFirst())
                    \(indent(proxy, 8))
                }

                \(credentialLocation(proxy))location /api/ {
                    client_max_body_size 64k;
                    proxy_pass http://attendify_api;
                    \(indent(proxy, 8))
                }

                # The organizer panel: static files, never framed, no inline script.
                location / {
                    root \(panelDirectory);
                    index index.html;
                    try_files $uri $uri/ =404;
                    add_header Content-Security-Policy "\(Self.panelCSP)" always;
                    add_header X-Frame-Options "DENY" always;
                    add_header Cache-Control "no-cache" always;
                    \(indent(security, 8))
                    error_page 404 = @not_found;
                }

                location @not_found {
                    # Not the URI's type (a rewritten widget URL ends in .html): always plain text.
                    types { }
                    default_type "text/plain; charset=utf-8";
                    add_header Cache-Control "no-store" always;
                    \(indent(security, 8))
                    return 404 "Not found\\n";
                }
            }

            """
    }

    /// Credential routes (login, registration) under their own per-address limit; the rest of
    /// /api/ goes to the `/api/` location, which has none.
    private func credentialLocation(_ proxy: String) -> String {
        guard rateLimits else { return "" }
        let routes = Self.credentialRoutes.map { route in
            route.map { "\\.^$|?*+()[]{}".contains($0) ? "\\\($0)" : String($0) }.joined()
        }.joined(separator: "|")
        let block = """
            # Credential routes (NginxConfig.credentialRoutes): POSTs limited per address.
            location ~ "^(?:\(routes))/*$" {
                limit_req zone=attendify_auth burst=20 nodelay;
                client_max_body_size 64k;
                proxy_pass http://attendify_api;
                \(indent(proxy, 4))
            }
            """
        return indent(block, 4) + "\n\n    "
    }

    private var logFormat: String {
        accessLog == .private
            ? "# Access log without client address, user agent, referrer, query string or cookie.\n\(Self.privateLogFormat)\n\n"
            : ""
    }

    private var logPaths: (access: String, error: String) {
        if let prefix = standalonePrefix { return ("\(prefix)/access.log", "\(prefix)/error.log") }
        return ("\(logDirectory)/attendify-access.log", "\(logDirectory)/attendify-error.log")
    }

    /// Server-level logs: they override Debian's http-level access_log and error_log.
    private var logDirectives: String {
        let access: String
        switch accessLog {
        case .private: access = "access_log \(logPaths.access) attendify_private;"
        case .off: access = "access_log off;"
        case .full: access = "# Full access log (nginx-config --access-log full): client addresses and user agents.\naccess_log \(logPaths.access) combined;"
        }
        let level =
            errorLogLevel == "crit"
            ? "# Errors at crit: Nginx names the client on lesser lines (nginx-config --error-log-level)."
            : "# Errors at \(errorLogLevel) (nginx-config --error-log-level): lines name the client's address."
        return """
            \(access)
            \(level)
            error_log \(logPaths.error) \(errorLogLevel);
            log_not_found off;
            """
    }

    private var listenDirectives: String {
        guard let tls else { return "listen \(listen);" }
        return """
            listen \(listen) ssl http2;
                ssl_certificate \(tls.certificate);
                ssl_certificate_key \(tls.key);
                ssl_protocols TLSv1.2 TLSv1.3;
                ssl_session_cache shared:attendify_tls:10m;
            """
    }

    /// With TLS, plain HTTP only serves ACME challenges and redirects everything else.
    private var redirectServer: String {
        guard tls != nil else { return "" }
        return """
            server {
                listen 80;
                server_name \(serverName);
                \(indent(logDirectives, 4))
                location /.well-known/acme-challenge/ { root \(acmeRoot); }
                location / { return 301 https://$host$request_uri; }
            }


            """
    }

    private func indent(_ text: String, _ spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset == 0 ? String($0.element) : pad + $0.element }.joined(separator: "\n")
    }
}
