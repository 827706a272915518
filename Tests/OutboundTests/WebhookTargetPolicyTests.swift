import NIOCore
import Testing
@testable import Outbound

@Suite struct WebhookTargetPolicyTests {
    static let https = "must use https"
    static let userInfo = "must not contain a user name or password"
    static let privateTarget = "must not point at a private or loopback address"
    static let tooLong = "must be at most 2048 characters"
    static let notHTTP = "must be an absolute http(s) URL with a host"
    static let fragment = "must not have a fragment"

    /// (url, problem when private targets are refused, problem when they are allowed)
    static let table: [(String, String?, String?)] = [
        ("https://hooks.example.com/attendify", nil, nil),
        ("HTTPS://Hooks.Example.COM:8443/a?b=c", nil, nil),
        ("https://93.184.216.34/hook", nil, nil),
        ("https://[2606:4700::1111]/hook", nil, nil),
        ("https://8.8.8.8", nil, nil),
        ("http://hooks.example.com/", https, nil),
        ("https://user:pass@hooks.example.com/", userInfo, userInfo),
        ("https://user@hooks.example.com/", userInfo, userInfo),
        ("https://127.0.0.1/", privateTarget, nil),
        ("https://127.1/", privateTarget, nil),
        ("https://[::1]/", privateTarget, nil),
        ("https://[::ffff:127.0.0.1]/", privateTarget, nil),
        ("https://[::ffff:7f00:1]/", privateTarget, nil),
        ("https://[64:ff9b::a00:1]/", privateTarget, nil),
        ("https://[2002:c0a8:0101::1]/", privateTarget, nil),
        ("https://10.0.0.1/", privateTarget, nil),
        ("https://172.16.5.4/", privateTarget, nil),
        ("https://172.32.0.1/", nil, nil),
        ("https://192.168.1.1/", privateTarget, nil),
        ("https://100.64.0.1/", privateTarget, nil),
        ("https://169.254.169.254/latest/meta-data/", privateTarget, nil),
        ("https://0.0.0.0/", privateTarget, nil),
        ("https://0/", privateTarget, nil),
        ("https://224.0.0.1/", privateTarget, nil),
        ("https://255.255.255.255/", privateTarget, nil),
        ("https://0x7f000001/", privateTarget, nil),
        ("https://0x7f.1/", privateTarget, nil),
        ("https://017700000001/", privateTarget, nil),
        ("https://2130706433/", privateTarget, nil),
        ("http://2130706433/", https, nil),
        ("https://3232235777/", privateTarget, nil),  // 192.168.1.1
        ("https://localhost/", privateTarget, nil),
        ("https://LOCALHOST./", privateTarget, nil),
        ("https://foo.localhost:8080/", privateTarget, nil),
        ("https://[fc00::1]/", privateTarget, nil),
        ("https://[fd00:ec2::254]/", privateTarget, nil),
        ("https://[fe80::1]/", privateTarget, nil),
        ("https://[ff02::1]/", privateTarget, nil),
        ("https://[::]/", privateTarget, nil),
        ("https://hooks.example.com/" + String(repeating: "a", count: 2100), tooLong, tooLong),
        ("https://hooks.example.com/#frag", fragment, fragment),
        ("https://hooks.example.com/a#", fragment, fragment),
        ("ftp://hooks.example.com/", notHTTP, notHTTP),
        ("hooks.example.com/hook", notHTTP, notHTTP),
        ("/relative/path", notHTTP, notHTTP),
        ("https://", notHTTP, notHTTP),
        ("https:///path", notHTTP, notHTTP),
        ("https://hooks.example.com:0/", notHTTP, notHTTP),
        ("https://hooks.example.com:99999/", notHTTP, notHTTP),
        ("https://hooks.example.com:/", notHTTP, notHTTP),
        ("https://hooks.example.com\\@127.0.0.1/", notHTTP, notHTTP),
        ("https://hooks example.com/", notHTTP, notHTTP),
        ("https://%31%32%37.0.0.1/", notHTTP, notHTTP),
        ("https://1.2.3.4.5/", notHTTP, notHTTP),
        ("https://256.1.1.1/", notHTTP, notHTTP),
        ("https://[::1%25eth0]/", notHTTP, notHTTP),
        ("https://[::1/", notHTTP, notHTTP),
        ("https://exämple.com/", notHTTP, notHTTP),
    ]

    @Test(arguments: table)
    func problems(url: String, strict: String?, open: String?) {
        #expect(WebhookTargetPolicy(allowPrivate: false).problem(with: url) == strict, "\(url.prefix(80))")
        #expect(WebhookTargetPolicy(allowPrivate: true).problem(with: url) == open, "\(url.prefix(80))")
    }

    @Test func exactlyAtTheLengthLimitIsFine() {
        let base = "https://hooks.example.com/"
        let url = base + String(repeating: "a", count: 2048 - base.count)
        #expect(WebhookTargetPolicy(allowPrivate: false).problem(with: url) == nil)
        #expect(WebhookTargetPolicy(allowPrivate: false).problem(with: url + "a") == Self.tooLong)
    }

    static let addresses: [(String, Bool)] = [
        ("8.8.8.8", true), ("93.184.216.34", true), ("172.15.255.255", true), ("172.32.0.0", true),
        ("100.63.255.255", true), ("100.128.0.0", true), ("223.255.255.255", true), ("1.1.1.1", true),
        ("127.0.0.1", false), ("127.255.255.254", false), ("10.1.2.3", false), ("172.16.0.0", false),
        ("172.31.255.255", false), ("192.168.0.1", false), ("100.64.0.0", false), ("100.127.255.255", false),
        ("169.254.169.254", false), ("0.0.0.0", false), ("0.1.2.3", false), ("224.0.0.251", false),
        ("239.255.255.250", false), ("240.0.0.1", false), ("255.255.255.255", false),
        ("2606:4700:4700::1111", true), ("2001:4860:4860::8888", true), ("2a00:1450::1", true),
        ("::1", false), ("::", false), ("fe80::1", false), ("febf::1", false), ("fc00::1", false), ("fdff::1", false),
        ("ff02::1", false), ("::ffff:127.0.0.1", false), ("::ffff:10.0.0.1", false), ("::ffff:8.8.8.8", true),
        ("64:ff9b::7f00:1", false), ("64:ff9b::808:808", true), ("2002:7f00:0001::", false), ("2002:0808:0808::", true),
        ("::127.0.0.1", false),
    ]

    @Test(arguments: addresses)
    func isPublic(address: String, expected: Bool) throws {
        let socketAddress = try SocketAddress(ipAddress: address, port: 443)
        #expect(WebhookTargetPolicy.isPublic(socketAddress) == expected, "\(address)")
        #expect(WebhookTargetPolicy(allowPrivate: false).permits(socketAddress) == expected)
        #expect(WebhookTargetPolicy(allowPrivate: true).permits(socketAddress))
    }

    @Test func unixSocketsAreNeverPublic() throws {
        #expect(!WebhookTargetPolicy.isPublic(try SocketAddress(unixDomainSocketPath: "/tmp/x.sock")))
    }

    @Test func ipv4Forms() {
        #expect(IPLiteral.parseIPv4("2130706433") == [127, 0, 0, 1])
        #expect(IPLiteral.parseIPv4("0x7f.1") == [127, 0, 0, 1])
        #expect(IPLiteral.parseIPv4("0177.0.0.01") == [127, 0, 0, 1])
        #expect(IPLiteral.parseIPv4("10.1") == [10, 0, 0, 1])
        #expect(IPLiteral.parseIPv4("192.168.257") == [192, 168, 1, 1])
        #expect(IPLiteral.parseIPv4("1.2.3.4.") == [1, 2, 3, 4])
        #expect(IPLiteral.parseIPv4("4294967296") == nil)
        #expect(IPLiteral.parseIPv4("08.1.1.1") == nil)
        #expect(IPLiteral.parseIPv4("1.2.3.256") == nil)
    }
}
