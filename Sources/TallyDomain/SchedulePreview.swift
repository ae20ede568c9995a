/// The answer to `POST /schedule/preview`: the next fire instants of a cron expression in a time
/// zone, each in UTC and on the zone's wall clock.
///
/// Fire times are local wall-clock times in the schedule's zone (see `CronSchedule` for the whole
/// rule): a local time that does not exist (the spring-forward gap) fires once, at the first instant
/// after the gap; a local time that occurs twice (fall back) fires once, at its first occurrence.
/// Both forms are RFC 3339 to the second, e.g. `{"at": "2026-03-08T07:00:00Z", "local":
/// "2026-03-08T03:00:00-04:00"}`; fire instants are always whole seconds (whole minutes except in
/// zones whose transitions are not on the minute), so nothing is lost.
///
/// Pure: the caller passes the current instant, used when the request has no `from`.
public struct SchedulePreview: Sendable, Equatable {
    /// One fire instant, as the API writes it.
    public struct Fire: Sendable, Equatable, Codable {
        /// The instant in UTC, e.g. `2026-03-08T07:00:00Z`.
        public let at: String
        /// The same instant on the zone's wall clock with its offset, e.g. `2026-03-08T03:00:00-04:00`.
        public let local: String

        public init(at: String, local: String) {
            self.at = at
            self.local = local
        }
    }

    /// How many fires a preview lists when the request does not say.
    public static let defaultCount = 5
    /// The most fires one preview lists.
    public static let maximumCount = 50

    /// The fires, ascending, strictly after the start.
    public let fires: [Fire]

    /// The next `count` fires of `cron` in `timezone` strictly after `from` (an RFC 3339 date-time
    /// with an offset; `now`, in milliseconds since the epoch, when nil).
    public init(cron: String, timezone: String, from: String?, count: Int?, now: Int64) throws(SchedulePreviewError) {
        var start = now
        let expression: CronExpression
        do { expression = try CronExpression(parsing: cron) } catch { throw .invalidCron(error) }
        if let never = expression.neverFiresError { throw .invalidCron(never) }
        guard let clock = LocalClock(timeZoneIdentifier: timezone) else { throw .invalidTimezone(timezone) }
        if let from {
            guard let parsed = RFC3339.epochMilliseconds(from) else { throw .invalidFrom(from) }
            start = parsed
        }
        let count = count ?? Self.defaultCount
        guard (1...Self.maximumCount).contains(count) else { throw .invalidCount(count) }
        self.init(CronSchedule(expression, in: clock), after: start, count: count)
    }

    /// The next `count` fires of `schedule` strictly after `epochMillis`, without validation.
    public init(_ schedule: CronSchedule, after epochMillis: Int64, count: Int) {
        fires = schedule.fireInstants(after: epochMillis, count: count).map { millis in
            let seconds = millis / 1000
            let offset = schedule.clock.offsetSeconds(atEpochMillis: millis)
            return Fire(at: RFC3339.string(epochSeconds: seconds), local: RFC3339.string(epochSeconds: seconds, offsetSeconds: offset))
        }
    }
}
