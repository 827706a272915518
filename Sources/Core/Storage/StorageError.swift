/// Storage failures the domain can act on; each engine maps its own errors to these (or to
/// `StorageFault`) at its boundary.
public enum StorageError: Error, Equatable, Sendable {
    /// A unique e-mail is already registered.
    case emailTaken
    /// The event already has a placement of that name (names are compared ignoring case).
    case placementNameTaken
    /// The event has `Placement.maximumPerEvent` placements.
    case placementLimitReached
    /// The row does not exist, or belongs to another organizer (callers must not tell the two apart).
    case notFound
    /// The organizer already has as many tokens or webhooks as allowed.
    case limitReached
    /// A row that cannot be turned back into a domain value (edited by hand, or a bug).
    case corruptRow(table: String, id: Int64?)
    /// `attendify backup` never overwrites a file.
    case backupTargetExists(String)
    /// Anything else the engine reported (a bug, or a schema changed by hand), in words for the
    /// log: the engine's own error types stay inside the storage module.
    case engine(String)
}
