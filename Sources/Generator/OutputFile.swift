/// One file the generator wants on disk: a path relative to the output root and its exact bytes.
public struct OutputFile: Equatable, Sendable {
    public var relativePath: String
    public var contents: [UInt8]

    public init(relativePath: String, contents: [UInt8]) {
        self.relativePath = relativePath
        self.contents = contents
    }
}
