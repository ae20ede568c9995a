import Foundation

/// The steps of applying one batch, in the order `TallyStore.apply` runs them: where the writer's
/// time goes, reported per batch in `ApplyOutcome` and summed in `TallyStore.applyStageTotals`.
public enum ApplyStage: Int, CaseIterable, Sendable {
    /// The `seen_event_ids` upsert of every event (nothing when dedupe is off).
    case dedupe
    /// Folding the events again, when dedupe dropped some or the tenants' clocks changed.
    case refold
    /// Ordinals of the batch's contacts and conversations: cache, look-up or insert.
    case members
    /// `daily_counters`, `hourly_messages` and `negative_ratings`.
    case counters
    /// Conversation states and the per-day conversation metrics.
    case conversations
    /// The daily member bitmaps.
    case bitmaps
    /// Dead letters, offsets, sequences and the ingest's own health figures.
    case bookkeeping
    /// SQLite's commit: the WAL write of every page the batch changed.
    case commit
    /// Publishing the batch's new ordinals to the in-memory cache.
    case publish

    /// The name in metrics labels and bench output.
    public var name: String {
        switch self {
        case .dedupe: "dedupe"
        case .refold: "refold"
        case .members: "members"
        case .counters: "counters"
        case .conversations: "conversations"
        case .bitmaps: "bitmaps"
        case .bookkeeping: "bookkeeping"
        case .commit: "commit"
        case .publish: "publish"
        }
    }
}

/// Nanoseconds per `ApplyStage`, measured by laps of one monotonic clock: two clock reads per
/// stage and batch, nothing per event.
public struct ApplyStageTimes: Sendable, Equatable {
    public private(set) var nanoseconds = [UInt64](repeating: 0, count: ApplyStage.allCases.count)
    private var lapStart = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// Charges the time since the previous lap (or since creation) to `stage`.
    mutating func lap(_ stage: ApplyStage) {
        let now = DispatchTime.now().uptimeNanoseconds
        nanoseconds[stage.rawValue] += now - lapStart
        lapStart = now
    }

    /// Adds another batch's times.
    public mutating func add(_ other: ApplyStageTimes) {
        for stage in ApplyStage.allCases { nanoseconds[stage.rawValue] += other.nanoseconds[stage.rawValue] }
    }

    public func seconds(_ stage: ApplyStage) -> Double { Double(nanoseconds[stage.rawValue]) / 1e9 }

    public static func == (a: ApplyStageTimes, b: ApplyStageTimes) -> Bool { a.nanoseconds == b.nanoseconds }
}
