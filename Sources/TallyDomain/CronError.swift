/// Why a cron expression was refused: the field at fault (nil when the expression as a whole is
/// wrong, e.g. its number of fields), the offending text, and the reason in words.
///
/// The API answers 400 `invalid_cron` with `message`, which names the field first so that a user
/// can find the mistake without knowing the parser: "hour: 24 is out of range 0-23",
/// "day_of_week: unknown name 'FUNDAY'", "expected 5 fields separated by spaces, got 6".
public struct CronError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field at fault, or nil for the expression as a whole.
    public let field: CronField?
    /// The text at fault: an item of the field, or the whole expression.
    public let text: String
    /// Why, without the field name, e.g. "24 is out of range 0-23".
    public let reason: String

    public init(field: CronField?, text: String, reason: String) {
        self.field = field
        self.text = text
        self.reason = reason
    }

    /// The field name and the reason, e.g. "hour: 24 is out of range 0-23".
    public var message: String { field.map { "\($0.rawValue): \(reason)" } ?? reason }

    public var description: String { message }
}
