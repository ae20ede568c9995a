import Hummingbird
import TallySettings
import TallyStore

/// Requires `Authorization: Bearer <key>` and attaches the key's record to the context.
///
/// Keys are looked up in the settings store by the SHA-256 of the secret on every request (from
/// its in-memory cache while nothing has committed to the file since), so `tally keys revoke`
/// takes effect at once, even from another process. The settings store is not
/// part of a rollup switch: keys work the same before, during and after a rebuild.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = TallyRequestContext
    let settings: SettingsStore
    let stores: StoreHolder
    /// The access_review section's "used in the period".
    let keyUse: KeyUseRecorder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw APIError.missingKey }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.missingKey }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        guard secret.utf8.count <= 256 else { throw APIError.unknownKey }
        let found: ApiKey?
        do {
            found = try await settings.authenticate(secret: secret)
        } catch {
            context.logger.error("key lookup failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the settings store could not be read; try again")
        }
        guard let key = found else { throw APIError.unknownKey }
        do { try keyUse.noteUse(of: key) } catch {
            // A request is not refused because its use could not be noted; the next one tries again.
            context.logger.warning("a key's use could not be recorded", metadata: ["key": "\(key.id)", "error": "\(error)"])
        }
        var context = context
        context.apiKey = key
        context.store = stores.current
        return try await next(request, context)
    }
}
