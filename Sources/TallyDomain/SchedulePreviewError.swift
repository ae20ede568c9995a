/// Why a schedule preview was refused, with the API's error code and a message for the user.
public enum SchedulePreviewError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The cron text does not parse, or parses but never fires (`0 0 30 2 *`).
    case invalidCron(CronError)
    /// The zone is not an IANA name of the system's tzdata (abbreviations and offsets included).
    case invalidTimezone(String)
    /// `from` is not an RFC 3339 date-time with an offset.
    case invalidFrom(String)
    /// `count` is outside 1...`SchedulePreview.maximumCount`.
    case invalidCount(Int)

    /// The API's error code: `invalid_cron`, `invalid_timezone`, or `invalid_parameter`.
    public var code: String {
        switch self {
        case .invalidCron: "invalid_cron"
        case .invalidTimezone: "invalid_timezone"
        case .invalidFrom, .invalidCount: "invalid_parameter"
        }
    }

    public var message: String {
        switch self {
        case .invalidCron(let error): "cron: \(error.message)"
        case .invalidTimezone(let name): "timezone: '\(name)' is not an IANA time zone name (e.g. Europe/Berlin, America/New_York, UTC)"
        case .invalidFrom(let text): "from: '\(text)' is not an RFC 3339 date-time with an offset"
        case .invalidCount(let count): "count: \(count) is out of range 1-\(SchedulePreview.maximumCount)"
        }
    }

    public var description: String { message }
}
