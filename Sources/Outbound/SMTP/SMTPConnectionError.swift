/// What can go wrong on the wire, before any reply code is involved; all of it is worth a retry.
enum SMTPConnectionError: Error, Equatable, CustomStringConvertible {
    case timedOut
    case closed
    case malformedReply
    case network(String)

    var description: String {
        switch self {
        case .timedOut: "the SMTP server did not answer in time"
        case .closed: "the SMTP server closed the connection"
        case .malformedReply: "the SMTP server sent something that is not an SMTP reply"
        case .network(let reason): reason
        }
    }
}
