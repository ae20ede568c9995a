import TallySettings
import TallyStore

/// Which tenant a report request reads, decided the same way on every report route: a tenant key
/// reads its own tenant, and may name it but no other; a platform-wide key must name one.
enum TenantSelection {
    /// - Parameters:
    ///   - asked: the `userId` the request names, if any.
    ///   - missing: the message when a platform-wide key names none, saying where to name it.
    static func tenant(for key: ApiKey, asked: String?, missing: String) throws(APIError) -> String {
        if let own = key.userId {
            if let asked, asked != own {
                throw APIError(.forbidden, code: "forbidden_tenant", "this key may only read userId '\(own)'")
            }
            return own
        }
        guard let asked else { throw .badRequest("missing_parameter", missing) }
        return asked
    }
}
