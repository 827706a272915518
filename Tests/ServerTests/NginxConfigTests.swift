import Server
import TestSupport
import Testing

@Suite struct NginxConfigTests {
    @Test func siteProxiesTheDynamicPartsAndServesFilesByTheStrictIdPattern() {
        let text = NginxConfig().render()
        #expect(text.contains("location /track/ {"))
        #expect(text.contains("proxy_pass http://attendify_track;"))
        #expect(text.contains("proxy_pass http://attendify_api;"))
        #expect(text.contains(#"location ~ "^/widget/event/([A-Za-z0-9_-]{16,64})/?$""#))
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
