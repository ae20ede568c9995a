/// Who is acting and from where: what every audit entry of one request or one command run shares.
/// The HTTP layer makes one per request, the command line one per run.
public struct AuditContext: Sendable, Equatable {
    public var actor: AuditActor
    public var requestId: String?
    public var remoteAddress: String?

    public init(actor: AuditActor, requestId: String? = nil, remoteAddress: String? = nil) {
        self.actor = actor
        self.requestId = requestId
        self.remoteAddress = remoteAddress
    }

    /// A command run by the current OS user.
    public static func commandLine() -> AuditContext { AuditContext(actor: .commandLine()) }

    /// The entry for `action` on `target` now, by this actor.
    public func entry(_ action: AuditAction, target: String, userId: String? = nil, outcome: String = AuditEntry.success,
                      atMillis: Int64 = SettingsStore.nowMillis()) -> AuditEntry {
        AuditEntry(atMillis: atMillis, actor: actor, userId: userId, action: action, target: target, outcome: outcome,
                   requestId: requestId, remoteAddress: remoteAddress)
    }
}
