import ArgumentParser
import Foundation
import Server

/// `attendify nginx-config`: prints the production Nginx configuration for the given layout.
struct NginxConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nginx-config",
        abstract: "Print the Nginx configuration: out/ and the panel as files, /api and /track proxied.",
        discussion: """
            Without --standalone it prints a site file for /etc/nginx/sites-enabled/ (deploy/nginx/attendify.conf \
            is this output for the default layout). With --standalone PREFIX it prints a complete nginx.conf whose \
            pid, logs and temp files live under PREFIX, runnable without root: nginx -p PREFIX -c PREFIX/nginx.conf.

            Logs: by default the access log has no client address, user agent, referrer, query string or cookie \
            (--access-log private), and the error log keeps only crit and worse, because Nginx names the client on \
            lesser lines (--error-log-level). --access-log full (Nginx's combined format) and --error-log-level error \
            log client addresses: use them only with a legal basis, as with the tracker's --store-client-info.
            """)

    @Option(help: "HOST:PORT or PORT to listen on.")
    var listen = "80"

    @Option(help: "Folder of the generated public files.")
    var out = "/var/lib/attendify/out"

    @Option(help: "Folder of the organizer panel's static files.")
    var panel = "/opt/attendify/Panel"

    @Option(help: "HOST:PORT of `attendify api`.")
    var api = "127.0.0.1:8081"

    @Option(help: "HOST:PORT of `attendify track`.")
    var track = "127.0.0.1:8082"

    @Option(name: .customLong("server-name"), help: "server_name (default _: any host).")
    var serverName = "_"

    @Option(help: "Write a complete nginx.conf rooted at this folder (pid, logs, temp paths).")
    var standalone: String?

    @Option(name: .customLong("rate-limits"), help: "on|off: include the limit_req zones (default on).")
    var rateLimits = "on"

    @Option(name: .customLong("tls-certificate"), help: "Certificate chain (PEM): serve HTTPS on --listen, with HSTS and a port-80 redirect.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "Private key (PEM) for --tls-certificate.")
    var tlsKey: String?

    @Option(name: .customLong("acme-root"), help: "Webroot for Let's Encrypt HTTP-01 challenges (certbot --webroot -w).")
    var acmeRoot = "/var/www/letsencrypt"

    @Option(name: .customLong("access-log"), help: "private|off|full: the access log (default private: no client address, user agent, referrer or query string; full: combined format, only with a legal basis).")
    var accessLog = "private"

    @Option(name: .customLong("error-log-level"), help: "info|notice|warn|error|crit|alert|emerg (default crit: below it Nginx names the client's address on each line).")
    var errorLogLevel = "crit"

    func validate() throws {
        guard ["on", "off"].contains(rateLimits) else { throw ValidationError("--rate-limits must be on or off") }
        guard NginxConfig.AccessLog(rawValue: accessLog) != nil else {
            throw ValidationError("--access-log must be private, off or full")
        }
        guard NginxConfig.errorLogLevels.contains(errorLogLevel) else {
            throw ValidationError("--error-log-level must be one of \(NginxConfig.errorLogLevels.joined(separator: ", "))")
        }
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-certificate and --tls-key go together")
        }
        for (name, value) in [
            ("--out", out), ("--panel", panel), ("--standalone", standalone ?? "/"), ("--tls-certificate", tlsCertificate ?? "/"),
            ("--tls-key", tlsKey ?? "/"), ("--acme-root", acmeRoot),
        ] {
            guard value.hasPrefix("/"), !value.contains(where: { $0 == ";" || $0 == "{" || $0 == "}" || $0 == "\"" || $0.isNewline || $0 == " " }) else {
                throw ValidationError("\(name) must be an absolute path without spaces, quotes, ';' or braces")
            }
        }
        for (name, value) in [("--listen", listen), ("--api", api), ("--track", track), ("--server-name", serverName)] {
            guard !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || ".:-_[]*".contains($0) }) else {
                throw ValidationError("\(name) may only contain letters, digits and . : - _ [ ] *")
            }
        }
    }

    func run() throws {
        var config = NginxConfig()
        config.listen = listen
        config.outputDirectory = out
        config.panelDirectory = panel
        config.apiUpstream = api
        config.trackUpstream = track
        config.serverName = serverName
        config.standalonePrefix = standalone
        config.rateLimits = rateLimits == "on"
        config.tlsCertificate = tlsCertificate
        config.tlsKey = tlsKey
        config.acmeRoot = acmeRoot
        config.accessLog = NginxConfig.AccessLog(rawValue: accessLog) ?? .private
        config.errorLogLevel = errorLogLevel
        print(config.render(), terminator: "")
    }
}
