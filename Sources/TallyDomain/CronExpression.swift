/// A five-field cron expression (minute, hour, day of month, month, day of week) as the set of
/// local wall-clock minutes it matches, with Vixie cron's meaning.
///
/// Scheduled reports fire on these minutes in the schedule's time zone; turning them into instants
/// is `CronSchedule`'s work, so this type knows no zone and no instant, only calendar days and
/// minutes of the day.
///
/// Syntax, per field: `*`, a value `a`, a range `a-b`, steps `*/n`, `a-b/n` and `a/n` (from `a` to
/// the field's maximum), and comma-separated lists of those. Months take `JAN`–`DEC` and days of
/// week `SUN`–`SAT`, in any case; day of week takes both 0 and 7 for Sunday. Empty list items,
/// reversed ranges, step 0, values out of range and anything else are refused with a `CronError`
/// naming the field. The macros `@hourly` (`0 * * * *`), `@daily` and `@midnight` (`0 0 * * *`),
/// `@weekly` (`0 0 * * 0`), `@monthly` (`0 0 1 * *`) and `@yearly` and `@annually` (`0 0 1 1 *`)
/// stand for the expressions shown; `@reboot` has no fire times and is refused.
///
/// The two day fields follow Vixie cron's rule: a day field is unrestricted when its text starts
/// with `*` (so `*` and `*/2` are, `1-31` is not); when both are restricted a day matches if either
/// matches (`0 0 1,15 * MON`: the 1st, the 15th and every Monday), otherwise it must match both
/// (which, with one of them `*`, means the other alone decides).
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written, without surrounding blanks.
    public let text: String
    /// Bit `m` set for each matching minute 0...59.
    let minutes: UInt64
    /// Bit `h` set for each matching hour 0...23.
    let hours: UInt64
    /// Bit `d` set for each matching day of month 1...31.
    let daysOfMonth: UInt64
    /// Bit `m` set for each matching month 1...12.
    let months: UInt64
    /// Bit `w` set for each matching weekday, 0 = Sunday ... 6 = Saturday (7 is folded into 0).
    let daysOfWeek: UInt64
    /// Whether the day-of-month field is restricted, i.e. does not start with `*`.
    let dayOfMonthRestricted: Bool
    /// Whether the day-of-week field is restricted, i.e. does not start with `*`.
    let dayOfWeekRestricted: Bool

    /// Parses `text`, a macro or five fields separated by spaces or tabs.
    public init(parsing text: String) throws(CronError) {
        let trimmed = text.trimmingBlanks
        let fields: [Substring]
        if trimmed.hasPrefix("@") {
            fields = try Self.expand(macro: trimmed).split(separator: " ")
        } else {
            fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 5 else {
                throw CronError(field: nil, text: trimmed, reason: "expected 5 fields separated by spaces, got \(fields.count)")
            }
        }
        self.text = trimmed
        minutes = try CronFieldParser.parse(fields[0], .minute)
        hours = try CronFieldParser.parse(fields[1], .hour)
        daysOfMonth = try CronFieldParser.parse(fields[2], .dayOfMonth)
        months = try CronFieldParser.parse(fields[3], .month)
        daysOfWeek = try CronFieldParser.parse(fields[4], .dayOfWeek)
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    public var description: String { text }

    public static func == (lhs: CronExpression, rhs: CronExpression) -> Bool {
        lhs.minutes == rhs.minutes && lhs.hours == rhs.hours && lhs.daysOfMonth == rhs.daysOfMonth
            && lhs.months == rhs.months && lhs.daysOfWeek == rhs.daysOfWeek
            && lhs.dayOfMonthRestricted == rhs.dayOfMonthRestricted && lhs.dayOfWeekRestricted == rhs.dayOfWeekRestricted
    }

    /// The five fields a macro stands for.
    private static func expand(macro: String) throws(CronError) -> String {
        switch macro.lowercased() {
        case "@hourly": return "0 * * * *"
        case "@daily", "@midnight": return "0 0 * * *"
        case "@weekly": return "0 0 * * 0"
        case "@monthly": return "0 0 1 * *"
        case "@yearly", "@annually": return "0 0 1 1 *"
        case "@reboot": throw CronError(field: nil, text: macro, reason: "@reboot has no fire times; use five fields or @hourly, @daily, @weekly, @monthly, @yearly")
        default: throw CronError(field: nil, text: macro, reason: "unknown macro '\(macro)'; use five fields or @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually")
        }
    }
}

extension CronExpression {
    /// Whether the expression matches some minute of `day` (a local calendar day): its month and
    /// its day fields, combined by Vixie's rule.
    public func matches(day: Day) -> Bool {
        let (_, month, dayOfMonth) = day.civil
        guard months & (1 << UInt64(month)) != 0 else { return false }
        let weekday = (day.weekdayFromMonday + 1) % 7
        let dayOfMonthMatches = daysOfMonth & (1 << UInt64(dayOfMonth)) != 0
        let dayOfWeekMatches = daysOfWeek & (1 << UInt64(weekday)) != 0
        if dayOfMonthRestricted && dayOfWeekRestricted { return dayOfMonthMatches || dayOfWeekMatches }
        return dayOfMonthMatches && dayOfWeekMatches
    }

    /// Whether the expression matches no day at all, e.g. `0 0 30 2 *` or `0 0 31 4,6 *`: its day
    /// of month never falls in its months, and the day of week cannot stand in for it (Vixie's
    /// either-suffices rule applies only when both day fields are restricted). An API refuses such
    /// an expression as `invalid_cron` (see `neverFiresError`).
    ///
    /// Every other expression fires: a date that exists in some year recurs on every weekday
    /// within 40 years (29 February included), which `CronSchedule`'s search horizon covers.
    public var neverFires: Bool {
        if dayOfMonthRestricted && dayOfWeekRestricted { return false }
        for month in 1...12 where months & (1 << UInt64(month)) != 0 {
            // 29 February exists in leap years, so February's longest is 29 days.
            let longest = month == 2 ? 29 : Day.daysIn(month: month, year: 2001)
            if daysOfMonth & ((1 << UInt64(longest + 1)) - 2) != 0 { return false }
        }
        return true
    }

    /// The error to refuse an expression that never fires with, or nil when it fires.
    public var neverFiresError: CronError? {
        guard neverFires else { return nil }
        return CronError(field: .dayOfMonth, text: text, reason: "no day in the chosen months, so '\(text)' never fires")
    }

    /// The first local minute, counted in minutes since the local epoch (1970-01-01T00:00 wall
    /// clock), at or after `start` that the expression matches, or nil when there is none before
    /// the day `horizon`.
    ///
    /// The search skips whole months, days and hours that cannot match, so a year costs at most a
    /// few hundred steps, however sparse the expression.
    func firstMinute(atOrAfter start: Int64, before horizon: Day) -> Int64? {
        var day = Day(number: Int32(start >= 0 ? start / 1440 : (start - 1439) / 1440))
        var minuteOfDay = Int(start - Int64(day.number) * 1440)
        while day < horizon {
            let (year, month, _) = day.civil
            if months & (1 << UInt64(month)) == 0 {
                day = month == 12 ? Day(year: year + 1, month: 1, day: 1)! : Day(year: year, month: month + 1, day: 1)!
                minuteOfDay = 0
                continue
            }
            if matches(day: day), let found = firstMinuteOfDay(atOrAfter: minuteOfDay) {
                return Int64(day.number) * 1440 + Int64(found)
            }
            day = day.advanced(by: 1)
            minuteOfDay = 0
        }
        return nil
    }

    /// The first minute of a matching day (0...1439) at or after `minuteOfDay`, if any.
    private func firstMinuteOfDay(atOrAfter minuteOfDay: Int) -> Int? {
        var hour = minuteOfDay / 60
        var minute = minuteOfDay % 60
        while let matchingHour = Self.firstBit(of: hours, atOrAfter: hour) {
            if matchingHour != hour { minute = 0 }
            if let matchingMinute = Self.firstBit(of: minutes, atOrAfter: minute) { return matchingHour * 60 + matchingMinute }
            hour = matchingHour + 1
            minute = 0
        }
        return nil
    }

    /// The lowest set bit of `mask` at index `index` or above.
    private static func firstBit(of mask: UInt64, atOrAfter index: Int) -> Int? {
        guard index < 64 else { return nil }
        let rest = mask >> UInt64(index)
        return rest == 0 ? nil : index + rest.trailingZeroBitCount
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    fileprivate var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
