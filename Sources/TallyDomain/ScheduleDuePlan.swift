/// What a schedule has to do now: the fire instants that came due since the last one handled.
///
/// At most one instant runs, however many came due while the server was down: the newest, and
/// only while it is no older than the catch-up window (`--schedule-catchup`). Every other due
/// instant is recorded as skipped with the reason, so the history shows each one. Pure: the
/// caller passes the current instant.
public struct ScheduleDuePlan: Sendable, Equatable {
    /// An instant that runs now, and how late (0 when on time).
    public struct Run: Sendable, Equatable {
        public var instant: Int64
        public var lateByMillis: Int64
    }

    /// An instant recorded as skipped, with why.
    public struct Skip: Sendable, Equatable {
        public var instant: Int64
        public var reason: String
    }

    public var run: Run?
    /// Oldest first.
    public var skipped: [Skip]

    /// A run this much after its instant or more is reported as late.
    public static let lateAfterMillis: Int64 = 60_000
    /// The most skipped instants one plan records one by one; older ones are counted in the
    /// reason of the oldest recorded, so a schedule that fired every minute through a week of
    /// downtime does not write ten thousand rows.
    public static let maximumRecordedSkips = 20
    /// How many due instants one plan enumerates before it stops counting exactly.
    static let maximumEnumerated = 100_000

    /// - Parameters:
    ///   - schedule: the cron expression on the schedule's clock.
    ///   - afterMillis: the last instant handled (or when the schedule became active): due
    ///     instants are strictly after it.
    ///   - nowMillis: the current instant; instants at or before it are due.
    ///   - catchUpMillis: how old a missed instant may be and still run.
    public init(_ schedule: CronSchedule, afterMillis: Int64, nowMillis: Int64, catchUpMillis: Int64) {
        var cursor = afterMillis
        var recent: [Int64] = []
        var count = 0
        var countIsExact = true
        enumerate: while true {
            // Past the enumeration limit, the count stops being exact and the search jumps to
            // the catch-up window, whose newest instants decide.
            if countIsExact, count >= Self.maximumEnumerated {
                countIsExact = false
                cursor = max(cursor, nowMillis - catchUpMillis - 1)
            }
            let batch = schedule.fireInstants(after: cursor, count: 256)
            for instant in batch {
                guard instant <= nowMillis else { break enumerate }
                count += 1
                recent.append(instant)
                if recent.count > Self.maximumRecordedSkips + 1 { recent.removeFirst() }
            }
            guard let last = batch.last, batch.count == 256 else { break }
            cursor = last
        }
        guard let newest = recent.last else {
            run = nil
            skipped = []
            return
        }
        let age = nowMillis - newest
        let older = recent.dropLast()
        let window = Self.describe(millis: catchUpMillis)
        if age <= catchUpMillis {
            run = Run(instant: newest, lateByMillis: age >= Self.lateAfterMillis ? age : 0)
            skipped = older.map { Skip(instant: $0, reason: "missed while no server was running; a later instant ran instead") }
        } else {
            run = nil
            skipped = recent.suffix(Self.maximumRecordedSkips).map {
                Skip(instant: $0, reason: "missed by more than the catch-up window of \(window) (--schedule-catchup)")
            }
        }
        let unlisted = count - skipped.count - (run == nil ? 0 : 1)
        if unlisted > 0, !skipped.isEmpty {
            let more = countIsExact ? "\(unlisted)" : "at least \(unlisted)"
            skipped[0].reason += "; \(more) earlier missed instants are not listed"
        }
    }

    /// `6 h`, `90 min` or `45 s`.
    static func describe(millis: Int64) -> String {
        let seconds = millis / 1000
        if seconds % 3600 == 0 { return "\(seconds / 3600) h" }
        if seconds % 60 == 0 { return "\(seconds / 60) min" }
        return "\(seconds) s"
    }
}
