import Hummingbird
import TallyStore

/// Requires `Authorization: Bearer <key>` and attaches the key's record to the context.
///
/// Keys are looked up by the SHA-256 of the secret on every request, so `tally keys revoke` takes
/// effect at once, even from another process.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = TallyRequestContext
    let stores: StoreHolder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw APIError.missingKey }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.missingKey }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        let store = stores.current
        guard secret.utf8.count <= 256, let key = try await store.authenticate(secret: secret) else { throw APIError.unknownKey }
        var context = context
        context.apiKey = key
        context.store = store
        return try await next(request, context)
    }
}
