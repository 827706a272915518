import NIOHTTP1

/// The request head of a webhook POST.
///
/// Host, Content-Length and Connection are ours: callers' copies are dropped, so a body length
/// can never disagree with the body. Header names or values with CR, LF or NUL are dropped too,
/// because NIO writes header bytes as given.
enum WebhookRequest {
    static let reserved: Set<String> = ["host", "content-length", "connection", "transfer-encoding"]

    static func head(for post: WebhookPost, target: WebhookURL) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostHeader)
        headers.add(name: "Content-Length", value: String(post.body.count))
        headers.add(name: "Connection", value: "close")
        for (name, value) in post.headers where isSafe(name) && isSafe(value) && !name.isEmpty {
            guard !reserved.contains(name.lowercased()) else { continue }
            headers.add(name: name, value: value)
        }
        return HTTPRequestHead(version: .http1_1, method: .POST, uri: target.target, headers: headers)
    }

    private static func isSafe(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}
