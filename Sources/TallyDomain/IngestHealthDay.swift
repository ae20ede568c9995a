/// Tally's own ingest figures for one local day of a tenant, as the `ingest_health` report section
/// shows them. Recorded by the ingest writer in the same transaction as the batch they describe
/// (per UTC hour of the commit), never inferred afterwards from the rollups.
///
/// Events counted and duplicates skipped are the tenant's own. Dead letters, lag and freshness
/// describe the pipeline that every tenant shares: a record that cannot be decoded has no tenant.
public struct IngestHealthDay: Sendable, Equatable {
    /// The tenant's events folded into the rollups.
    public var eventsCounted: Int64 = 0
    /// The tenant's events skipped as copies of ones counted within the dedupe window.
    public var duplicatesSkipped: Int64 = 0
    /// Committed batches (of every tenant).
    public var batches: Int64 = 0
    /// Records kept as dead letters, by their stable code.
    public var deadLetters: [String: Int64] = [:]
    /// The most records any consumed partition was behind its log end when a batch was cut.
    public var maximumLag: Int64?
    /// The longest time from a record's timestamp (when Kafka received it) to its batch's commit.
    public var maximumFreshnessMillis: Int64?
    /// Dedupe ids and dead letters deleted by the retention on this day.
    public var prunedDedupeIds: Int64 = 0
    public var prunedDeadLetters: Int64 = 0

    public init() {}

    /// Adds another hour's figures: sums, and the larger of the maxima.
    public mutating func add(_ other: IngestHealthDay) {
        eventsCounted += other.eventsCounted
        duplicatesSkipped += other.duplicatesSkipped
        batches += other.batches
        deadLetters.merge(other.deadLetters, uniquingKeysWith: +)
        maximumLag = Self.larger(maximumLag, other.maximumLag)
        maximumFreshnessMillis = Self.larger(maximumFreshnessMillis, other.maximumFreshnessMillis)
        prunedDedupeIds += other.prunedDedupeIds
        prunedDeadLetters += other.prunedDeadLetters
    }

    static func larger(_ a: Int64?, _ b: Int64?) -> Int64? {
        guard let a else { return b }
        guard let b else { return a }
        return max(a, b)
    }
}
