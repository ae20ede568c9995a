import Hummingbird
import TallyDomain
import TallySettings

/// `POST /api/v1/platform/keys` and `DELETE /api/v1/platform/keys/{keyId}`: API keys over HTTP, as
/// `tally keys create` and `revoke` make them, each change audited with the request's key as actor.
///
/// A key can make keys of any role, so only platform-wide `admin` keys may; the secret is in the
/// 201 answer once and stored nowhere, only its SHA-256.
struct KeysController {
    let settings: SettingsStore

    static let allowedProperties = ["name", "role", "userId"]

    func addRoutes(to group: RouterGroup<TallyRequestContext>) {
        group.post("platform/keys", use: create)
        group.delete("platform/keys/:keyId", use: revoke)
    }

    struct Created: Encodable {
        var key: ApiKey
        var secret: String
    }

    @Sendable func create(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let audit = try Self.requireAdmin(context)
        let fields = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        try JSONRequestBody.refuseUnknown(fields, allowed: Self.allowedProperties)
        let roles = ApiKey.Role.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let roleName)? = fields["role"], let role = ApiKey.Role(rawValue: roleName) else {
            throw APIError.badRequest(fields["role"] == nil ? "missing_parameter" : "invalid_parameter", "role must be one of \(roles)")
        }
        var name = "api key"
        switch fields["name"] {
        case nil, .null?: break
        case .string(let text)? where Identifier.isValid(text): name = text
        default: throw APIError.badRequest("invalid_parameter", "name must be 1 to 128 characters without control characters")
        }
        var userId: String?
        switch fields["userId"] {
        case nil, .null?: break
        case .string(let text)? where Identifier.isValid(text): userId = text
        default: throw APIError.badRequest("invalid_parameter", "userId must be 1 to 128 characters without control characters")
        }
        do throws(SettingsError) {
            let (key, secret) = try settings.createKey(name: name, role: role, userId: userId, audit: audit)
            return JSONResponse.make(status: .created, body: Created(key: key, secret: secret))
        } catch {
            throw Self.failure(error, context: context)
        }
    }

    @Sendable func revoke(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let audit = try Self.requireAdmin(context)
        let keyId = context.parameters.decoded("keyId")
        guard Identifier.isValid(keyId) else { throw APIError.badRequest("invalid_parameter", "keyId must be 1 to 128 characters without control characters") }
        do throws(SettingsError) {
            try settings.revokeKey(id: keyId, audit: audit)
            return Response(status: .noContent)
        } catch {
            throw Self.failure(error, context: context)
        }
    }

    private static func requireAdmin(_ context: TallyRequestContext) throws(APIError) -> AuditContext {
        guard let key = context.apiKey, let audit = context.audit else { throw APIError.missingKey }
        guard key.role == .admin else {
            throw APIError(.forbidden, code: "forbidden_role", "managing keys needs a key with role admin; this key is \(key.role.rawValue)")
        }
        guard key.userId == nil else { throw APIError(.forbidden, code: "forbidden_tenant", "managing keys needs a platform-wide key") }
        return audit
    }

    private static func failure(_ error: SettingsError, context: TallyRequestContext) -> APIError {
        switch error.code {
        case .keyNotFound: return APIError(.notFound, code: error.code.rawValue, error.message)
        case .keyAlreadyRevoked, .keyExists: return APIError(.conflict, code: error.code.rawValue, error.message)
        case .invalidCommand: return APIError.badRequest("invalid_parameter", error.message)
        default:
            context.logger.error("key change failed", metadata: ["error": "\(error)"])
            return APIError(.serviceUnavailable, code: error.code.rawValue, "the settings store could not be written; try again")
        }
    }
}
