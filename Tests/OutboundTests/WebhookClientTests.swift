import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import Outbound

/// WebhookClient against real loopback servers (Support/TestHTTPServer.swift).
@Suite struct WebhookClientTests {
    let open = WebhookClient(policy: WebhookTargetPolicy(allowPrivate: true), timeout: .seconds(10))
    let body = Array(#"{"id":"0123456789abcdef0123456789abcdef","type":"event.updated","data":{"title":"Café"}}"#.utf8)

    func signedPost(_ url: String, extra: [(String, String)] = []) -> WebhookPost {
        WebhookPost(url: url, headers: [
            ("Content-Type", "application/json"),
            ("User-Agent", "Attendify-Webhooks/1"),
            ("Attendify-Event", "event.updated"),
            ("Attendify-Delivery", "0123456789abcdef0123456789abcdef"),
            ("Attendify-Signature", WebhookSignature.header(secret: "whsec_s3cret", timestamp: 1_796_181_300, body: body)),
        ] + extra, body: body)
    }

    @Test func deliversTheExactRequest() async throws {
        let server = try await TestHTTPServer.start(.respond(status: 204))
        let outcome = await open.post(signedPost("http://127.0.0.1:\(server.port)/hooks/a?x=1", extra: [
            ("Host", "evil.example"), ("Content-Length", "1"), ("X-Evil", "a\r\nInjected: yes"),
        ]))
        #expect(outcome == .delivered(status: 204))
        let request = try #require(server.requests.first)
        #expect(request.requestLine == "POST /hooks/a?x=1 HTTP/1.1")
        #expect(request.header("Host") == ["127.0.0.1:\(server.port)"])
        #expect(request.header("Content-Length") == [String(body.count)])
        #expect(request.header("Connection") == ["close"])
        #expect(request.header("Content-Type") == ["application/json"])
        #expect(request.header("User-Agent") == ["Attendify-Webhooks/1"])
        #expect(request.header("Attendify-Event") == ["event.updated"])
        #expect(request.header("Attendify-Delivery") == ["0123456789abcdef0123456789abcdef"])
        #expect(request.header("X-Evil").isEmpty && request.header("Injected").isEmpty)
        #expect(request.body == body)
        let signature = try #require(request.header("Attendify-Signature").first)
        #expect(WebhookSignature.verify(header: signature, secret: "whsec_s3cret", body: request.body, now: 1_796_181_310))
        await server.stop()
    }

    @Test func serverErrorIsRejected() async throws {
        let server = try await TestHTTPServer.start(.respond(status: 500, body: "oops"))
        #expect(await open.post(signedPost("http://127.0.0.1:\(server.port)/")) == .rejected(status: 500))
        await server.stop()
    }

    @Test func redirectsAreNotFollowed() async throws {
        let elsewhere = try await TestHTTPServer.start(.respond(status: 200))
        let server = try await TestHTTPServer.start(.respond(status: 302, headers: [("Location", "http://127.0.0.1:\(elsewhere.port)/")]))
        #expect(await open.post(signedPost("http://127.0.0.1:\(server.port)/")) == .rejected(status: 302))
        #expect(elsewhere.requests.isEmpty)
        await server.stop()
        await elsewhere.stop()
    }

    @Test func bigBodiesAreCutOff() async throws {
        let server = try await TestHTTPServer.start(.respond(status: 200, body: String(repeating: "x", count: 300_000)))
        #expect(await open.post(signedPost("http://127.0.0.1:\(server.port)/")) == .delivered(status: 200))
        await server.stop()
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = try await TestHTTPServer.start(.neverAnswer)
        let client = WebhookClient(policy: WebhookTargetPolicy(allowPrivate: true), timeout: .milliseconds(500))
        let outcome = await client.post(signedPost("http://127.0.0.1:\(server.port)/"))
        #expect(outcome == .failed(reason: "timed out after 0.5 s"))
        await server.stop()
    }

    @Test func connectionRefused() async throws {
        let outcome = await open.post(signedPost("http://127.0.0.1:\(try closedLoopbackPort())/"))
        #expect(outcome == .failed(reason: "connection refused"))
    }

    @Test func unknownHostFailsDNS() async {
        let outcome = await open.post(signedPost("http://no-such-host.invalid/"))
        #expect(outcome == .failed(reason: "DNS lookup failed"))
    }

    @Test func loopbackIsRefusedUnlessAllowed() async throws {
        let server = try await TestHTTPServer.start(.respond(status: 200))
        let strict = WebhookClient(policy: WebhookTargetPolicy(allowPrivate: false), timeout: .seconds(5))
        for url in ["https://127.0.0.1:\(server.port)/", "https://localhost:\(server.port)/", "https://[::ffff:127.0.0.1]:\(server.port)/"] {
            guard case .failed(let reason) = await strict.post(signedPost(url)) else { Issue.record("\(url) was not refused"); continue }
            #expect(reason.contains("private"), "\(url): \(reason)")
        }
        #expect(server.requests.isEmpty)
        await server.stop()
    }

    /// A name that is not `localhost` but resolves to loopback is caught at delivery, by address.
    @Test func resolvedLoopbackNamesAreRefused() async throws {
        var candidates = ["ip6-localhost", "localhost.localdomain"]
        candidates.insert(ProcessInfo.processInfo.hostName, at: 0)
        guard let host = candidates.first(where: { candidate in
            (try? Resolver.lookUp(candidate, port: 443)).map { !$0.isEmpty && $0.allSatisfy { !WebhookTargetPolicy.isPublic($0) } } ?? false
        }) else { return }  // no such name on this machine: nothing to check
        let strict = WebhookClient(policy: WebhookTargetPolicy(allowPrivate: false), timeout: .seconds(5))
        #expect(WebhookTargetPolicy(allowPrivate: false).problem(with: "https://\(host)/") == nil, "\(host) passes the static check")
        #expect(await strict.post(signedPost("https://\(host)/")) == .failed(reason: "refused: the host resolves to a private or loopback address"))
    }

    @Test func httpsWithSNIAndTrustRoots() async throws {
        let certificate = try SelfSignedCertificate()
        let serverTLS = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate.cert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificate.key, format: .pem))))
        let server = try await TestHTTPServer.start(.respond(status: 200), tls: serverTLS)

        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .file(certificate.cert)
        let client = WebhookClient(policy: WebhookTargetPolicy(allowPrivate: true), timeout: .seconds(10), group: MultiThreadedEventLoopGroup.singleton, tls: trusting)
        #expect(await client.post(signedPost("https://localhost:\(server.port)/hook")) == .delivered(status: 200))
        #expect(await client.post(signedPost("https://127.0.0.1:\(server.port)/hook")) == .delivered(status: 200), "IP literal: no SNI, IP SAN checked")
        #expect(server.requests.first?.header("Host") == ["localhost:\(server.port)"])

        guard case .failed(let reason) = await open.post(signedPost("https://localhost:\(server.port)/hook")) else {
            Issue.record("an untrusted certificate was accepted"); return
        }
        #expect(reason.contains("TLS"), "\(reason)")
        await server.stop()
    }
}

/// A throwaway CA-flagged certificate for localhost and 127.0.0.1, made with `openssl req`.
struct SelfSignedCertificate {
    let folder = try! TestFolder()
    var cert: String { folder.file("cert.pem") }
    var key: String { folder.file("key.pem") }

    init() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:TRUE",
                             "-keyout", folder.file("key.pem"), "-out", folder.file("cert.pem")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }
}
