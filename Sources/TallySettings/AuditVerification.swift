/// What `verifyAudit()` found: how many entries it walked, the newest hash, and the first entry that
/// does not follow from the ones before it.
///
/// The chain shows any change inside the log, but not the loss of its newest entries: whoever can
/// write the file can cut the tail. Keeping `headSequence` and `headHash` somewhere else (a ticket,
/// a log shipper) and comparing later closes that gap.
public struct AuditVerification: Sendable, Equatable {
    /// An entry that breaks the chain, and why.
    public struct Break: Sendable, Equatable {
        public var sequence: Int64
        public var reason: String
    }

    public var entries: Int
    /// The newest entry's sequence and hash (0 and the genesis hash for an empty log).
    public var headSequence: Int64
    public var headHash: String
    /// nil when every entry matches.
    public var firstBreak: Break?

    public var isIntact: Bool { firstBreak == nil }
}
