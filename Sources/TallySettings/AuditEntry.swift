/// One audited change, as the caller describes it: who, when, on which tenant, what, to what, how
/// it ended, and from which request. The store adds the sequence number and the hashes.
///
/// Every text is data, never markup or a command: it is stored as given (control characters,
/// quotes and `<script>` included), escaped only by whoever renders it. Fields are cut to a fixed
/// number of bytes so that no caller can grow the log without bound through a long value.
public struct AuditEntry: Sendable, Equatable {
    /// The outcome of a change that took effect. Anything else is the stable error code of the
    /// refusal or failure (`key_not_found`, `checksum_mismatch`, …).
    public static let success = "success"

    /// The longest `target` kept, in UTF-8 bytes; other texts keep `maximumFieldBytes`.
    public static let maximumTargetBytes = 1024
    public static let maximumFieldBytes = 256

    /// When it happened, in ms since the epoch (decided once, by the caller).
    public var atMillis: Int64
    public var actor: AuditActor
    /// The tenant the change concerns; nil for platform-wide changes.
    public var userId: String?
    public var action: AuditAction
    /// What was changed: a key id, a report id, a path, a scope.
    public var target: String
    /// `success`, or an error code.
    public var outcome: String
    /// The HTTP request's id; nil at the command line.
    public var requestId: String?
    /// The HTTP client's address; nil at the command line.
    public var remoteAddress: String?

    public init(atMillis: Int64, actor: AuditActor, userId: String?, action: AuditAction, target: String,
                outcome: String = AuditEntry.success, requestId: String? = nil, remoteAddress: String? = nil) {
        let short = Self.maximumFieldBytes
        self.atMillis = atMillis
        self.actor = AuditActor(id: Self.cut(actor.id, short), name: Self.cut(actor.name, short), role: actor.role.map { Self.cut($0, short) })
        self.userId = userId.map { Self.cut($0, short) }
        self.action = AuditAction(rawValue: Self.cut(action.rawValue, short))
        self.target = Self.cut(target, Self.maximumTargetBytes)
        self.outcome = Self.cut(outcome, short)
        self.requestId = requestId.map { Self.cut($0, short) }
        self.remoteAddress = remoteAddress.map { Self.cut($0, short) }
    }

    /// `text` cut to at most `bytes` UTF-8 bytes, on a character boundary. A NUL becomes U+FFFD:
    /// SQLite's text reads stop at it, so it could not be stored and read back as the same bytes
    /// (and the chain hashes what is stored).
    static func cut(_ text: String, _ bytes: Int) -> String {
        let text = text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
        guard text.utf8.count > bytes else { return text }
        var kept = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > bytes { break }
            kept.append(character)
            used += size
        }
        return kept
    }
}
