import Testing
@testable import Outbound

@Test func placeholder() { #expect(Bool(true)) }
