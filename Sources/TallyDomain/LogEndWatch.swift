/// Decides when a partition's log really ends before an offset that a reader expects to reach.
///
/// Two readers need this: live ingest, whose stored offset lies beyond the log of a recreated
/// topic, and a rebuild's replay, whose target (the live store's offset) lies beyond a log that
/// lost data. One look is never enough. A partition-EOF event can sit in the consumer's queue while
/// the log grows, so its offset may be seconds old when it is read; a replay that trusted one
/// skipped the messages produced since, and then reported differences that were its own. So the
/// figure watched is the high watermark of the newest fetch response, and it must stay short of
/// the expected offset, with the reader at that end, for a whole grace period.
public struct LogEndWatch<Partition: Hashable>: Sendable where Partition: Sendable {
    /// How long a log must stay short before the watch believes it. Fetch responses refresh the
    /// watermark every `fetch.wait.max.ms` (100 ms), so this is many answers in a row.
    public let graceNanoseconds: UInt64
    /// Since when (monotonic nanoseconds) each partition has looked short.
    public private(set) var shortSince: [Partition: UInt64] = [:]

    public init(graceNanoseconds: UInt64 = 2_000_000_000) {
        self.graceNanoseconds = graceNanoseconds
    }

    /// Records one look at `partition` and says whether its log has ended before `expected` for the
    /// whole grace period.
    ///
    /// - Parameters:
    ///   - logEnd: the high watermark of the newest fetch response, nil when none came yet.
    ///   - position: the next offset the reader will read.
    ///   - expected: the offset the reader expects the log to reach.
    ///   - now: monotonic nanoseconds.
    public mutating func observe(_ partition: Partition, logEnd: Int64?, position: Int64, expected: Int64, now: UInt64) -> Bool {
        guard let logEnd, logEnd < expected, position >= logEnd else {
            shortSince[partition] = nil
            return false
        }
        let since = shortSince[partition] ?? now
        shortSince[partition] = since
        return now &- since >= graceNanoseconds
    }

    /// Forgets a partition: it was reset, revoked or reached its target.
    public mutating func forget(_ partition: Partition) {
        shortSince[partition] = nil
    }

    /// True while some partition looks short, confirmed or not.
    public var isWatching: Bool { !shortSince.isEmpty }
}
