/// Which IP addresses are on the public internet, for the webhook SSRF rules.
///
/// Works on raw bytes (4 for IPv4, 16 for IPv6) so the same check serves URL literals at
/// registration and resolved addresses at delivery. IPv6 forms that carry an IPv4 address
/// (mapped, compatible, NAT64, 6to4) are judged by the IPv4 address inside: otherwise
/// `[::ffff:127.0.0.1]` or `[2002:7f00:1::]` would reach loopback.
enum AddressRanges {
    static func isPublic(_ bytes: [UInt8]) -> Bool {
        switch bytes.count {
        case 4: isPublicIPv4(bytes)
        case 16: isPublicIPv6(bytes)
        default: false
        }
    }

    static func isPublicIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _): false  // "this network", 0.0.0.0/8
        case (10, _): false  // private
        case (100, 64...127): false  // carrier-grade NAT; some clouds' metadata (100.100.100.200)
        case (127, _): false  // loopback
        case (169, 254): false  // link-local, cloud metadata 169.254.169.254
        case (172, 16...31): false  // private
        case (192, 168): false  // private
        case (192, 0) where b[2] == 0: false  // IETF special purpose 192.0.0.0/24
        case (224...255, _): false  // multicast 224/4, reserved 240/4, broadcast 255.255.255.255
        default: true
        }
    }

    static func isPublicIPv6(_ b: [UInt8]) -> Bool {
        let first10AreZero = b[0..<10].allSatisfy { $0 == 0 }
        if first10AreZero, b[10] == 0xFF, b[11] == 0xFF { return isPublicIPv4(Array(b[12..<16])) }  // ::ffff:a.b.c.d
        if b[0..<12].allSatisfy({ $0 == 0 }) { return false }  // ::, ::1 and the deprecated ::a.b.c.d
        if b[0..<8].allSatisfy({ $0 == 0 }), b[8] == 0xFF, b[9] == 0xFF, b[10] == 0, b[11] == 0 {
            return isPublicIPv4(Array(b[12..<16]))  // IPv4-translated ::ffff:0:a.b.c.d
        }
        if b[0] == 0x00, b[1] == 0x64, b[2] == 0xFF, b[3] == 0x9B {
            if b[4..<12].allSatisfy({ $0 == 0 }) { return isPublicIPv4(Array(b[12..<16])) }  // NAT64 64:ff9b::/96
            if b[4] == 0, b[5] == 1 { return false }  // local-use NAT64 64:ff9b:1::/48
        }
        if b[0] == 0x20, b[1] == 0x02 { return isPublicIPv4(Array(b[2..<6])) }  // 6to4 2002::/16
        if b[0] == 0xFE, b[1] & 0xC0 == 0x80 { return false }  // link-local fe80::/10
        if b[0] == 0xFE, b[1] & 0xC0 == 0xC0 { return false }  // old site-local fec0::/10
        if b[0] & 0xFE == 0xFC { return false }  // unique local fc00::/7 (AWS metadata fd00:ec2::254)
        if b[0] == 0xFF { return false }  // multicast
        return true
    }
}
