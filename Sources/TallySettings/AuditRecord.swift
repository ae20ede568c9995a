/// An audit entry as stored: its place in the chain and the hashes that link it to the one before.
public struct AuditRecord: Sendable, Equatable {
    /// 1, 2, 3, … without gaps: a missing number is a deleted entry.
    public var sequence: Int64
    public var entry: AuditEntry
    /// The previous entry's `entryHash`; 64 zeros for the first entry.
    public var previousHash: String
    /// `SHA-256(previousHash ‖ canonical entry)`, lowercase hex (see `AuditChain`).
    public var entryHash: String

    public init(sequence: Int64, entry: AuditEntry, previousHash: String, entryHash: String) {
        self.sequence = sequence
        self.entry = entry
        self.previousHash = previousHash
        self.entryHash = entryHash
    }
}

extension AuditRecord: Encodable {
    /// The shape of `GET /api/v1/platform/audit` and `tally audit list --json`: snake_case, as the
    /// Reports API's fields are, times as RFC 3339 UTC with milliseconds beside the exact number.
    private enum CodingKeys: String, CodingKey {
        case sequence, time, timeMillis = "time_millis", actor, userId = "user_id", action, target, outcome
        case requestId = "request_id", remoteAddress = "remote_address", previousHash = "previous_hash", entryHash = "entry_hash"
    }

    private enum ActorKeys: String, CodingKey { case id, name, role }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(AuditChain.timestamp(entry.atMillis), forKey: .time)
        try container.encode(entry.atMillis, forKey: .timeMillis)
        var actor = container.nestedContainer(keyedBy: ActorKeys.self, forKey: .actor)
        try actor.encode(entry.actor.id, forKey: .id)
        try actor.encode(entry.actor.name, forKey: .name)
        try actor.encode(entry.actor.role, forKey: .role)
        try container.encode(entry.userId, forKey: .userId)
        try container.encode(entry.action.rawValue, forKey: .action)
        try container.encode(entry.target, forKey: .target)
        try container.encode(entry.outcome, forKey: .outcome)
        try container.encode(entry.requestId, forKey: .requestId)
        try container.encode(entry.remoteAddress, forKey: .remoteAddress)
        try container.encode(previousHash, forKey: .previousHash)
        try container.encode(entryHash, forKey: .entryHash)
    }
}
