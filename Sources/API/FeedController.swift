import Core
import Foundation
import Hummingbird

/// `GET /api/feed`: the signed-in organizer's feed of listed events and the ways to subscribe to
/// it (to share on their site or in a newsletter). The feed itself is a static file.
struct FeedController<Context: APIRequestContext>: Sendable {
    let database: any DataStore
    let config: APIConfig

    func addRoutes(to routes: RouteTable<Context>) {
        routes.on(.get, "/api/feed") { _, context in
            let user = try context.requireUser()
            guard let owner = try database.feedOwner(userID: user.id) else { throw APIError.notFound }
            let links = SubscriptionLinks(
                feedURL: config.publicBase + ProviderLinks.organizerFeedPath(owner.feedID),
                name: owner.feedName(userDefaults: try database.widgetDefaults(userID: user.id)))
            return try JSONResponse.make(FeedResponse(links))
        }
    }
}
