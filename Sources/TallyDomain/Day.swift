/// A calendar day, counted as days since 1970-01-01.
///
/// Rollups are keyed by the day of an event's instant on its tenant's clock (`LocalClock`: UTC
/// unless the tenant set a time zone), so every window, breakdown and bitmap speaks in whole local
/// days. Keeping the day an integer makes ranges and arithmetic trivial: the zone enters only where
/// an instant becomes a day.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public let number: Int32

    public init(number: Int32) { self.number = number }

    /// The day with the given proleptic Gregorian date, or nil when the date does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        self.number = Int32(Day.daysFromCivil(year: year, month: month, day: day))
    }

    /// The day containing the instant `epochSeconds` (UTC).
    public init(epochSeconds: Int64) {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        self.number = Int32(truncatingIfNeeded: days)
    }

    /// The day containing the instant `epochMillis` (UTC): the one rule by which an event, and a
    /// conversation by its start, falls in a day.
    public init(epochMillis: Int64) {
        self.init(epochSeconds: epochMillis >= 0 ? epochMillis / 1000 : (epochMillis - 999) / 1000)
    }

    /// Parses `YYYY-MM-DD`; nil for anything else, including impossible dates like 2025-02-30.
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = Digits.parse(bytes[0..<4]), let month = Digits.parse(bytes[5..<7]),
              let day = Digits.parse(bytes[8..<10]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.number < rhs.number }

    /// The day `count` days later (earlier when negative).
    public func advanced(by count: Int) -> Day { Day(number: number + Int32(count)) }

    /// The year, month and day of this date.
    public var civil: (year: Int, month: Int, day: Int) { Day.civilFromDays(Int(number)) }

    /// `YYYY-MM-DD`, the form used on the wire.
    public var iso: String {
        let (y, m, d) = civil
        return Day.pad(y, 4) + "-" + Day.pad(m, 2) + "-" + Day.pad(d, 2)
    }

    public var description: String { iso }

    /// The weekday, Monday first: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    public var weekdayFromMonday: Int {
        let shifted = (Int(number) + 3) % 7
        return shifted < 0 ? shifted + 7 : shifted
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since the epoch for a civil date, using 400-year eras so that it is exact for any year.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `daysFromCivil`.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// Parses fixed-width ASCII decimal fields without allocating.
enum Digits {
    static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return bytes.isEmpty ? nil : value
    }
}
