/// Parses one field of a cron expression into the bit set of the values it matches.
///
/// A field is a comma-separated list of items; an item is `*`, `a`, `a-b`, each optionally
/// followed by `/n`. Every refusal names the item at fault and says why, so that the message is
/// useful on its own ("day_of_week: unknown name 'FUNDAY'").
enum CronFieldParser {
    /// Bit `v` set for each value `v` the field's text matches; for day of week 7 becomes 0.
    static func parse(_ text: Substring, _ field: CronField) throws(CronError) -> UInt64 {
        var mask: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw CronError(field: field, text: String(text), reason: "empty item in the list '\(text)'") }
            mask |= try parseItem(item, field)
        }
        if field == .dayOfWeek, mask & (1 << 7) != 0 { mask = (mask & ~(1 << 7)) | 1 }
        return mask
    }

    /// One item: its values from the first to the last, every `step`-th.
    private static func parseItem(_ item: Substring, _ field: CronField) throws(CronError) -> UInt64 {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw CronError(field: field, text: String(item), reason: "'\(item)' has more than one step") }
        let step = parts.count == 2 ? try parseStep(parts[1], item, field) : 1
        let base = parts[0]
        let range: ClosedRange<Int>
        if base == "*" {
            range = field.span
        } else if base.contains("-") {
            let ends = base.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count == 2, !ends[0].isEmpty, !ends[1].isEmpty else {
                throw CronError(field: field, text: String(item), reason: "'\(item)' is not a value or a range a-b")
            }
            let low = try parseValue(ends[0], field), high = try parseValue(ends[1], field)
            guard low <= high else {
                // MON-SUN is the usual slip: Sunday is 0, and 7 is the Sunday that ends a week.
                let hint = field == .dayOfWeek && high == 0 ? " (Sunday is 0; to end a range on Sunday write 7, e.g. 1-7)" : ""
                throw CronError(field: field, text: String(item), reason: "the range \(base) is reversed" + hint)
            }
            range = low...high
        } else {
            guard !base.isEmpty else { throw CronError(field: field, text: String(item), reason: "'\(item)' has no value before its step") }
            let value = try parseValue(base, field)
            // `a/n` runs from a to the field's last value; a lone value is itself.
            range = parts.count == 2 ? value...max(value, field.span.upperBound) : value...value
        }
        var mask: UInt64 = 0
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) { mask |= 1 << UInt64(value) }
        return mask
    }

    /// The step after `/`: a whole number of at least 1.
    private static func parseStep(_ text: Substring, _ item: Substring, _ field: CronField) throws(CronError) -> Int {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw CronError(field: field, text: String(item), reason: "the step in '\(item)' is not a whole number")
        }
        guard let step = Int(text) else { throw CronError(field: field, text: String(item), reason: "the step in '\(item)' is too large") }
        guard step >= 1 else { throw CronError(field: field, text: String(item), reason: "the step in '\(item)' must be at least 1") }
        return step
    }

    /// A number within the field's bounds, or for month and day of week a three-letter name.
    private static func parseValue(_ text: Substring, _ field: CronField) throws(CronError) -> Int {
        let bounds = field.bounds
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let value = Int(text), bounds.contains(value) else {
                throw CronError(field: field, text: String(text), reason: "\(text) is out of range \(bounds.lowerBound)-\(bounds.upperBound)")
            }
            return value
        }
        if text.allSatisfy({ $0.isASCII && $0.isLetter }) {
            guard !field.names.isEmpty else {
                throw CronError(field: field, text: String(text), reason: "'\(text)' is not a number (only month and day_of_week take names)")
            }
            guard let value = field.names[text.uppercased()] else {
                throw CronError(field: field, text: String(text), reason: "unknown name '\(text)'")
            }
            return value
        }
        throw CronError(field: field, text: String(text), reason: "'\(text)' is not a number")
    }
}
