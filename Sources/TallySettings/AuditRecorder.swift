/// What code outside the settings store calls to put a change on the audit log: the Reports API
/// (reports generated, deleted and downloaded; templates and schedules changed), the command line
/// and `serve`'s own services.
///
/// ```swift
/// let recorder = AuditRecorder(settings: settings)
/// try await recorder.record(.reportDownload, target: reportId, userId: tenant, context: audit)
/// ```
///
/// A change that is itself a `SettingsCommand` should rather go through
/// `SettingsStore.apply(_:audited:)`, which commits the change and its entry in one transaction.
/// A change kept elsewhere (a report file, a rollup store) is recorded after it is known how it
/// ended, with `AuditEntry.success` or the error's stable code as the outcome.
public struct AuditRecorder: Sendable {
    public let settings: SettingsStore

    public init(settings: SettingsStore) { self.settings = settings }

    /// Appends one entry and returns it as stored, with its sequence number and hash.
    @discardableResult
    public func record(_ action: AuditAction, target: String, userId: String? = nil, outcome: String = AuditEntry.success,
                       context: AuditContext) throws(SettingsError) -> AuditRecord {
        try settings.appendAudit(context.entry(action, target: target, userId: userId, outcome: outcome))
    }

    /// The same, off the caller's thread (the write waits for SQLite's lock and an fsync).
    @discardableResult
    public func record(_ action: AuditAction, target: String, userId: String? = nil, outcome: String = AuditEntry.success,
                       context: AuditContext) async throws(SettingsError) -> AuditRecord {
        try await settings.appendAuditAsync(context.entry(action, target: target, userId: userId, outcome: outcome))
    }
}
