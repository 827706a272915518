import NIOCore

/// Splits the byte stream into lines and groups them into replies (`250-…` continues, `250 …` ends).
///
/// Hand-written because swift-nio-extras (its LineBasedFrameDecoder) is not a dependency, and
/// because replies, not lines, are what the dialog waits for. Lines longer than 4 KiB (RFC 5321
/// allows 512) mean the peer is not an SMTP server and end the connection.
final class SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    static let maxLineLength = 4096
    private var pendingLines: [String] = []

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maxLineLength { throw SMTPConnectionError.malformedReply }
            return .needMoreData
        }
        let length = view.distance(from: view.startIndex, to: newline)
        guard length <= Self.maxLineLength, var bytes = buffer.readBytes(length: length) else { throw SMTPConnectionError.malformedReply }
        buffer.moveReaderIndex(forwardBy: 1)
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        if let reply = try accept(bytes) { context.fireChannelRead(wrapInboundOut(reply)) }
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// One line in, a reply out when the line was the last of its reply.
    private func accept(_ line: [UInt8]) throws -> SMTPReply? {
        guard line.count >= 3, line.prefix(3).allSatisfy({ (0x30...0x39).contains($0) }),
              let code = Int(String(decoding: line.prefix(3), as: UTF8.self)) else { throw SMTPConnectionError.malformedReply }
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        let text = line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : ""
        pendingLines.append(text)
        switch separator {
        case UInt8(ascii: "-"):
            return nil
        case UInt8(ascii: " "):
            defer { pendingLines.removeAll() }
            return SMTPReply(code: code, lines: pendingLines)
        default:
            throw SMTPConnectionError.malformedReply
        }
    }
}
