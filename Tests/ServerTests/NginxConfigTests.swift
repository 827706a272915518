import Server
import TestSupport
import Testing

@Suite struct NginxConfigTests {
    @Test func siteProxiesTheDynamicPartsAndServesFilesByTheStrictIdPattern() {
        let text = NginxConfig().render()
        #expect(text.contains("location /track/ {"))
        #expect(text.contains("proxy_pass http://attendify_track;"))
        #expect(text.contains("proxy_pass http://attendify_api;"))
        // An event's widget, or one placement's one folder down.
        #expect(text.contains(#"location ~ "^/widget/event/([A-Za-z0-9_-]{16,64})(/[A-Za-z0-9_-]{16,64})?/?$""#))
        #expect(text.contains("set $attendify_folder /widget/event/$1$2;"))
        // A widget that follows the visitor's language: the listed language's file, else index.html.
        #expect(text.contains("try_files $attendify_folder/index$attendify_language.html @attendify_widget;"))
        #expect(text.contains("rewrite ^ $attendify_folder/index.html break;"))
        #expect(text.contains("map $http_accept_language $attendify_language {"))
        #expect(text.contains(#"add_header Vary "Accept-Encoding, Accept-Language" always;"#))
        // The event page.
        #expect(text.contains(#"location ~ "^/e/([A-Za-z0-9_-]{16,64})/?$""#))
        #expect(text.contains("script-src 'sha256-"))
        #expect(!text.contains("script-src 'unsafe-inline'"))
        #expect(text.contains("gzip_static on;"))
        #expect(text.contains(#"default_type "text/calendar; charset=utf-8";"#))
        #expect(text.contains("keepalive 64;"))
        #expect(text.contains("frame-ancestors 'none'"))  // the panel
        #expect(text.contains("frame-ancestors *"))  // widgets
        #expect(!text.contains("pid "))  // a site file, not a whole nginx.conf
    }

    @Test func rateLimitsCanBeLeftOut() {
        var config = NginxConfig()
        #expect(config.render().contains("limit_req zone=attendify_track"))
        config.rateLimits = false
        #expect(!config.render().contains("limit_req"))
    }

    /// Every server block (the TLS redirect too) logs in the private format by default, which
    /// names no client address, user agent, referrer, query string or cookie.
    @Test func accessLogIsPrivateByDefaultInEveryServerBlock() throws {
        var config = NginxConfig()
        config.listen = "443"
        config.tlsCertificate = "/etc/ssl/cert.pem"
        config.tlsKey = "/etc/ssl/key.pem"
        let text = config.render()
        let format = try #require(text.split(separator: "\n").first { $0.hasPrefix("log_format attendify_private ") })
        for leak in ["$remote_addr", "$binary_remote_addr", "$http_", "$request_uri", "$args", "$query_string", "$request ", "$cookie_", "$remote_user", "$proxy_add_x_forwarded_for"] {
            #expect(!format.contains(leak), "the private format logs \(leak)")
        }
        for field in ["$time_iso8601", "$request_method", "$uri", "$status", "$body_bytes_sent", "$request_time", "$upstream_response_time"] {
            #expect(format.contains(field))
        }
        let servers = text.components(separatedBy: "\nserver {").count - 1
        #expect(servers == 2)
        #expect(count("access_log /var/log/nginx/attendify-access.log attendify_private;", in: text) == servers)
        #expect(count("error_log /var/log/nginx/attendify-error.log crit;", in: text) == servers)
        #expect(count("log_not_found off;", in: text) == servers)
        #expect(!text.contains("combined"))
    }

    @Test func accessLogOffAndFull() {
        var config = NginxConfig()
        config.accessLog = .off
        var text = config.render()
        #expect(text.contains("access_log off;"))
        #expect(!text.contains("log_format"))
        #expect(!text.contains("access_log /"))
        config.accessLog = .full
        config.errorLogLevel = "error"
        text = config.render()
        #expect(text.contains("access_log /var/log/nginx/attendify-access.log combined;"))
        #expect(text.contains("error_log /var/log/nginx/attendify-error.log error;"))
        #expect(!text.contains("attendify_private"))
    }

    @Test func standaloneLogsUnderThePrefixInTheChosenFormat() throws {
        var config = NginxConfig()
        config.standalonePrefix = "/tmp/prefix"
        var text = config.render()
        #expect(text.contains("access_log /tmp/prefix/access.log attendify_private;"))
        #expect(text.contains("error_log /tmp/prefix/error.log crit;"))
        // No http-level log in the combined format for the server block to inherit.
        #expect(text.contains("    access_log off;"))
        #expect(!text.contains("combined"))
        // The format is declared before the access_log that names it (Nginx requires that order).
        let declared = try #require(text.range(of: "log_format attendify_private"))
        let used = try #require(text.range(of: "access_log /tmp/prefix/access.log attendify_private;"))
        #expect(declared.lowerBound < used.lowerBound)
        config.accessLog = .full
        text = config.render()
        #expect(text.contains("access_log /tmp/prefix/access.log combined;"))
    }

    /// Rate-limit rejections are logged below the error log's level (Nginx names the client on them).
    @Test func rateLimitRejectionsStayOutOfTheErrorLog() {
        let text = NginxConfig().render()
        #expect(text.contains("limit_req_log_level info;"))
    }

    /// Only POSTs to the credential routes count against attendify_auth: the session check
    /// every panel load makes, /me and logout go to /api/ unlimited.
    @Test func onlyCredentialRoutesAreLimitedByTheAuthZone() throws {
        let text = NginxConfig().render()
        #expect(
            NginxConfig.credentialRoutes == [
                "/api/auth/login", "/api/auth/register", "/api/auth/password-reset", "/api/auth/password-reset/confirm", "/api/auth/email/confirm",
            ])
        #expect(!text.contains("location /api/auth/ {"))
        #expect(
            text.contains(
                #"location ~ "^(?:/api/auth/login|/api/auth/register|/api/auth/password-reset|/api/auth/password-reset/confirm|/api/auth/email/confirm)/*$" {"#
            ))
        #expect(text.contains("limit_req_zone $attendify_credential_client zone=attendify_auth:10m rate=10r/m;"))
        #expect(text.contains("map $request_method $attendify_credential_client {\n    POST $binary_remote_addr;\n    default \"\";\n}"))
        #expect(count("limit_req zone=attendify_auth", in: text) == 1)
        // The /api/ location has no limit_req of its own.
        let api = try #require(text.range(of: "location /api/ {"))
        let apiBlock = text[api.upperBound...].prefix { $0 != "}" }
        #expect(!apiBlock.contains("limit_req"))
        // With rate limits off the credential location is not rendered at all.
        var off = NginxConfig()
        off.rateLimits = false
        #expect(!off.render().contains("attendify_credential_client"))
        #expect(off.render().contains("location /api/ {"))
    }

    private func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func standaloneKeepsEveryRuntimePathUnderThePrefix() {
        var config = NginxConfig()
        config.standalonePrefix = "/tmp/prefix"
        let text = config.render()
        for directive in ["pid /tmp/prefix/nginx.pid;", "error_log /tmp/prefix/error.log", "client_body_temp_path /tmp/prefix/tmp/", "proxy_temp_path /tmp/prefix/tmp/"] {
            #expect(text.contains(directive))
        }
    }

    @Test func tlsAddsHSTSToEveryBlockAndRedirectsPlainHTTP() {
        var config = NginxConfig()
        config.listen = "443"
        config.tlsCertificate = "/etc/ssl/cert.pem"
        config.tlsKey = "/etc/ssl/key.pem"
        let text = config.render()
        #expect(text.contains("listen 443 ssl http2;"))
        #expect(text.contains("return 301 https://$host$request_uri;"))
        let blocksWithHeaders = text.components(separatedBy: "X-Content-Type-Options").count - 1
        let hsts = text.components(separatedBy: "Strict-Transport-Security").count - 1
        #expect(hsts == blocksWithHeaders)
    }
}

@Suite struct ShippedNginxConfigTests {
    @Test func deployFilesMatchWhatTheCommandRendersToday() throws {
        var plain = NginxConfig()
        plain.serverName = "attendify.example.com"
        var tls = plain
        tls.listen = "443"
        tls.tlsCertificate = "/etc/letsencrypt/live/attendify.example.com/fullchain.pem"
        tls.tlsKey = "/etc/letsencrypt/live/attendify.example.com/privkey.pem"
        for (file, config) in [("attendify.conf", plain), ("attendify-tls.conf", tls)] {
            let shipped = try String(contentsOfFile: "\(PackagePaths.root)/deploy/nginx/\(file)", encoding: .utf8)
            #expect(shipped == config.render(), "deploy/nginx/\(file) is stale: regenerate it with attendify nginx-config")
        }
    }
}
