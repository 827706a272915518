import Testing
@testable import Outbound

@Suite struct WebhookSignatureTests {
    let body = Array(#"{"id":"0123456789abcdef0123456789abcdef","type":"event.updated"}"#.utf8)

    /// Computed independently: python3 -c "import hmac,hashlib; print(hmac.new(b'whsec_test_secret',
    /// b'1796181300.' + BODY, hashlib.sha256).hexdigest())"
    @Test func knownVector() {
        #expect(WebhookSignature.header(secret: "whsec_test_secret", timestamp: 1_796_181_300, body: body)
            == "t=1796181300,v1=e2cce668463b4d4cc66eb765e88d763e730bc34312645c342bf62e40491d6ee9")
        #expect(WebhookSignature.header(secret: "sécret", timestamp: 1, body: [])
            == "t=1,v1=fefa80ce0f21f240b850bf760980e687eca33b6f17bed070588b94c09f617158")
    }

    @Test func verifies() {
        let header = WebhookSignature.header(secret: "s", timestamp: 1000, body: body)
        #expect(WebhookSignature.verify(header: header, secret: "s", body: body, now: 1000))
        #expect(WebhookSignature.verify(header: header, secret: "s", body: body, now: 1300))
        #expect(WebhookSignature.verify(header: header, secret: "s", body: body, now: 700), "small clock skew either way")
        #expect(WebhookSignature.verify(header: header.uppercased().replacingOccurrences(of: "T=", with: "t=").replacingOccurrences(of: "V1=", with: "v1="),
                                        secret: "s", body: body, now: 1000), "hex case does not matter")
        #expect(WebhookSignature.verify(header: "t=1000, v1=00, " + header.split(separator: ",")[1], secret: "s", body: body, now: 1000),
                "any matching v1 (secret rotation)")
    }

    @Test func rejects() {
        let header = WebhookSignature.header(secret: "s", timestamp: 1000, body: body)
        var tampered = body
        tampered[10] ^= 1
        #expect(!WebhookSignature.verify(header: header, secret: "s", body: tampered, now: 1000))
        #expect(!WebhookSignature.verify(header: header, secret: "other", body: body, now: 1000))
        #expect(!WebhookSignature.verify(header: header, secret: "s", body: body, now: 1301), "too old")
        #expect(!WebhookSignature.verify(header: header, secret: "s", body: body, now: 699), "too far in the future")
        #expect(!WebhookSignature.verify(header: header.replacingOccurrences(of: "t=1000", with: "t=1200"), secret: "s", body: body, now: 1200),
                "the timestamp is covered by the MAC")
        for garbage in ["", "v1=abc", "t=1000", "t=abc,v1=00", "t=1000,v2=" + header.split(separator: "=").last!] {
            #expect(!WebhookSignature.verify(header: garbage, secret: "s", body: body, now: 1000), "\(garbage)")
        }
        #expect(!WebhookSignature.verify(header: "t=-9223372036854775808,v1=00", secret: "s", body: body, now: 9_223_372_036_854_775_807))
    }
}
