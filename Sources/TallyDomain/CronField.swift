/// One of the five fields of a cron expression, in the order they are written.
///
/// Each field knows what a value may be, so that a parse error can name the field and its range,
/// e.g. "hour: 24 is out of range 0-23". The raw value is the name used in error messages and on
/// the wire (`day_of_month`, not `dayOfMonth`).
public enum CronField: String, CaseIterable, Sendable {
    case minute
    case hour
    case dayOfMonth = "day_of_month"
    case month
    case dayOfWeek = "day_of_week"

    /// The values a number in this field may take. Day of week accepts 7 as a second Sunday.
    public var bounds: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// The values `*` and an open step (`a/n`) run over: for day of week the week once, 0 (Sunday)
    /// to 6, so that `1/2` means Monday, Wednesday, Friday and never adds the second Sunday.
    var span: ClosedRange<Int> { self == .dayOfWeek ? 0...6 : bounds }

    /// Three-letter names (upper case) and their values, for the fields that have them.
    var names: [String: Int] {
        switch self {
        case .month:
            ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
             "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
        case .dayOfWeek:
            ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]
        default:
            [:]
        }
    }
}
