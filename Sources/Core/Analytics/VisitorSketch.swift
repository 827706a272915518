#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A HyperLogLog sketch (Flajolet et al., 2007, with the sparse mode of Heule et al.'s
/// HyperLogLog++, 2013) of one event's visitors on one UTC day. It answers "how many distinct
/// visitors" within a known error, merges by keeping each register's maximum (so sketches
/// written by several tracker processes combine exactly, in any order), and holds no visitor:
/// a register says only that some hash had so many leading zero bits.
///
/// - Sparse (up to 1,024 visitors-ish): registers indexed by the hash's top 25 bits, so two
///   visitors almost never share one, and the count is linear counting over 2^25 registers:
///   exact in practice (an error of 1 in 10,000 at 1,000 visitors).
/// - Dense: 4,096 registers (the top 12 bits), 4 KiB. Standard error 1.04 / sqrt(4096) = 1.6%;
///   up to 10,240 visitors linear counting over the empty registers applies, which is tighter.
///
/// Attendify documents the bound |estimate - true| <= 5% of true + 1 (three standard errors)
/// and `VisitorSketchTests` checks it across cardinalities.
///
/// Stored form (`encoded`), first byte 1: sparse, 4 bytes per register (index << 6 | value, big
/// endian, sorted); first byte 2: dense, the 4,096 register values.
public struct VisitorSketch: Sendable, Equatable {
    public static let precision = 12
    public static let registerCount = 1 << precision
    static let sparsePrecision = 25
    /// A sparse sketch this big takes as many bytes as the dense one: switch.
    static let sparseLimit = registerCount / 4

    private var sparse: [UInt32: UInt8] = [:]
    private var dense: [UInt8]?

    public init() {}

    /// Adds one visitor (64 bits of a keyed hash).
    public mutating func add(hash: UInt64) {
        if dense != nil {
            let index = Int(hash >> UInt64(64 - Self.precision))
            // The other 52 bits: their leading zeros plus one (the sentinel bit caps it at 53).
            let rank = UInt8(((hash << UInt64(Self.precision)) | (1 << UInt64(Self.precision - 1))).leadingZeroBitCount + 1)
            if dense![index] < rank { dense![index] = rank }
            return
        }
        let index = UInt32(hash >> UInt64(64 - Self.sparsePrecision))
        let rank = UInt8(((hash << UInt64(Self.sparsePrecision)) | (1 << UInt64(Self.sparsePrecision - 1))).leadingZeroBitCount + 1)
        setSparse(index, rank)
    }

    private mutating func setSparse(_ index: UInt32, _ rank: UInt8) {
        if (sparse[index] ?? 0) < rank { sparse[index] = rank }
        if sparse.count > Self.sparseLimit { densify() }
    }

    /// The dense registers this sketch stands for (a sparse register folds into the dense one
    /// its top 12 bits name, with the rank it would have had there).
    private var denseRegisters: [UInt8] {
        if let dense { return dense }
        var registers = [UInt8](repeating: 0, count: Self.registerCount)
        let lowBits = Self.sparsePrecision - Self.precision  // 13
        for (index, rank) in sparse {
            let register = Int(index >> UInt32(lowBits))
            let low = index & ((1 << UInt32(lowBits)) - 1)
            let denseRank = low != 0 ? UInt8(low.leadingZeroBitCount - (32 - lowBits) + 1) : UInt8(lowBits) + rank
            if registers[register] < denseRank { registers[register] = denseRank }
        }
        return registers
    }

    private mutating func densify() {
        dense = denseRegisters
        sparse = [:]
    }

    public mutating func merge(_ other: VisitorSketch) {
        if dense == nil && other.dense == nil {
            for (index, rank) in other.sparse { setSparse(index, rank) }
            return
        }
        if dense == nil { densify() }
        for (index, rank) in other.denseRegisters.enumerated() where dense![index] < rank { dense![index] = rank }
    }

    /// The estimated number of distinct visitors.
    public var estimate: Int {
        guard let registers = dense else {
            let m = Double(1 << Self.sparsePrecision)
            return Int((m * log(m / (m - Double(sparse.count)))).rounded())
        }
        let m = Double(Self.registerCount)
        var zeros = 0
        var sum = 0.0
        for value in registers {
            if value == 0 { zeros += 1 }
            sum += 1 / Double(UInt64(1) << UInt64(value))
        }
        let raw = 0.7213 / (1 + 1.079 / m) * m * m / sum
        if raw <= 2.5 * m, zeros > 0 { return Int((m * log(m / Double(zeros))).rounded()) }
        return Int(raw.rounded())
    }

    // MARK: Stored form

    public var encoded: [UInt8] {
        if let dense { return [2] + dense }
        var bytes: [UInt8] = [1]
        bytes.reserveCapacity(1 + sparse.count * 4)
        for (index, rank) in sparse.sorted(by: { $0.key < $1.key }) {
            let word = index << 6 | UInt32(rank)
            bytes.append(contentsOf: [UInt8(word >> 24), UInt8((word >> 16) & 0xff), UInt8((word >> 8) & 0xff), UInt8(word & 0xff)])
        }
        return bytes
    }

    /// Nil for bytes that are not a sketch (a damaged row is then replaced, not trusted).
    public init?(encoded bytes: [UInt8]) {
        guard let format = bytes.first else { return nil }
        let body = bytes.dropFirst()
        switch format {
        case 2:
            guard body.count == Self.registerCount, body.allSatisfy({ $0 <= 64 - Self.precision + 1 }) else { return nil }
            dense = Array(body)
        case 1:
            guard body.count % 4 == 0 else { return nil }
            var offset = body.startIndex
            while offset < body.endIndex {
                let word = UInt32(body[offset]) << 24 | UInt32(body[offset + 1]) << 16 | UInt32(body[offset + 2]) << 8 | UInt32(body[offset + 3])
                let rank = UInt8(word & 0x3f)
                guard rank > 0, rank <= 64 - Self.sparsePrecision + 1 else { return nil }
                setSparse(word >> 6, rank)
                offset += 4
            }
        default:
            return nil
        }
    }
}
