/// Storage failures the domain can act on; raw SQLite errors are mapped to these at the boundary.
public enum StorageError: Error, Equatable, Sendable {
    /// A unique e-mail is already registered.
    case emailTaken
    /// The row does not exist, or belongs to another organizer (callers must not tell the two apart).
    case notFound
    /// A row that cannot be turned back into a domain value (edited by hand, or a bug).
    case corruptRow(table: String, id: Int64?)
    /// `attendify backup` never overwrites a file.
    case backupTargetExists(String)
}
