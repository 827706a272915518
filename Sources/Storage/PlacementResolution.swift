import Core

/// Clicks and views carry the placement key the tracker saw in the path; the writer turns it into
/// the placement's id just before storing the batch, so a placement created a moment ago is
/// counted from its first view even when the tracker's link table has not heard of it yet. A key
/// that names no placement of that event (deleted, or made up) counts for the event alone.
protocol PlacementAttributed {
    var eventID: Int64 { get }
    var placementID: Int64? { get set }
    var placementKey: String? { get }
}

extension Click: PlacementAttributed {}
extension Impression: PlacementAttributed {}

enum PlacementResolution {
    struct Found {
        var id: Int64
        var eventID: Int64
    }

    /// The distinct keys still to resolve (none for most batches: one check, no query).
    static func keys(_ items: [some PlacementAttributed]) -> [String] {
        Array(Set(items.compactMap { $0.placementID == nil ? $0.placementKey : nil }))
    }

    static func apply<Item: PlacementAttributed>(_ found: [String: Found], to items: [Item]) -> [Item] {
        guard !found.isEmpty else { return items }
        return items.map { item in
            guard item.placementID == nil, let key = item.placementKey, let placement = found[key], placement.eventID == item.eventID else {
                return item
            }
            var resolved = item
            resolved.placementID = placement.id
            return resolved
        }
    }
}
