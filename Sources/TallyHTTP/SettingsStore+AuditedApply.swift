import TallySettings

extension SettingsStore {
    /// Applies a change a request asked for together with its audit entry, in one transaction,
    /// with the request's key as the actor. A request always has a key on the routes that change
    /// settings; the plain `apply` is only for routers built without authentication in tests.
    @discardableResult
    func apply(_ command: SettingsCommand, auditing action: AuditAction, target: String, userId: String?,
               context: TallyRequestContext) throws(SettingsError) -> Int64 {
        guard let audit = context.audit else { return try apply(command) }
        return try apply(command, audited: audit.entry(action, target: target, userId: userId))
    }
}
