import CShims

/// gzip for the `.gz` twins that Nginx's `gzip_static` (and `attendify serve`) hand to clients.
enum Gzip {
    struct Failure: Error {}

    /// Deterministic output (no timestamp, no file name), so regenerating changes no byte.
    static func compress(_ input: [UInt8]) throws -> [UInt8] {
        let capacity = attendify_gzip_bound(input.count)
        var output = [UInt8](repeating: 0, count: capacity)
        let written = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                attendify_gzip(source.baseAddress, source.count, target.baseAddress, capacity)
            }
        }
        guard written > 0 else { throw Failure() }
        output.removeSubrange(written...)
        return output
    }
}
