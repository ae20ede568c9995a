import TallyDomain

/// The filters operators give to dead-letter listings and replays, parsed the same way by the CLI
/// and the HTTP API so that a value accepted by one is accepted by the other, and every refusal
/// can say exactly what is allowed.
public enum DeadLetterQuery {
    /// How many dead letters one listing returns at most, and by default.
    public static let limitRange = 1...10_000
    public static let defaultLimit = 100

    /// What `since` accepts, for error messages.
    public static let sinceFormat = "a date YYYY-MM-DD (midnight UTC) or an RFC 3339 date-time with offset, e.g. 2026-05-01T08:00:00Z"

    /// Milliseconds since the epoch for `since`: a calendar date means its midnight UTC, anything
    /// longer must be an RFC 3339 date-time with an explicit offset (a bare local time is ambiguous).
    public static func sinceMillis(_ text: String) -> Int64? {
        if text.utf8.count == 10 {
            return Day(iso: text).map { Int64($0.number) * 86_400_000 }
        }
        return RFC3339.epochMilliseconds(text)
    }

    /// The rejection code named by `text`, or nil when the event contract has no such code.
    public static func code(_ text: String) -> EventRejection.Code? {
        EventRejection.Code(rawValue: text)
    }

    /// Every valid code, comma-separated, for error messages and help.
    public static var validCodes: String {
        EventRejection.Code.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
