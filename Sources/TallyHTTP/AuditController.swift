import Hummingbird
import TallySettings

/// `GET /api/v1/platform/audit`: the audit log, newest first, for administrators.
///
/// The log spans every tenant and names every key, so only platform-wide `admin` keys read it. A
/// filter that does not parse, and a parameter the route does not know, is a 400
/// `invalid_parameter` naming it (the same parser serves `tally audit list`).
struct AuditController {
    let settings: SettingsStore

    func addRoutes(to group: RouterGroup<TallyRequestContext>) {
        group.get("platform/audit", use: list)
    }

    @Sendable func list(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        guard key.role == .admin else {
            throw APIError(.forbidden, code: "forbidden_role", "the audit log needs a key with role admin; this key is \(key.role.rawValue)")
        }
        guard key.userId == nil else {
            throw APIError(.forbidden, code: "forbidden_tenant", "the audit log spans every tenant; use a platform-wide key")
        }
        let parameters = request.uri.queryParameters
        let query: AuditQuery
        do {
            query = try AuditQuery.parse(names: parameters.map { String($0.key) }) { name in parameters[name[...]].map(String.init) }
        } catch {
            throw APIError.badRequest(error.code, error.message)
        }
        do throws(SettingsError) {
            return JSONResponse.make(body: try await settings.auditEntriesAsync(query))
        } catch {
            context.logger.error("audit listing failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the settings store could not be read; try again")
        }
    }
}
