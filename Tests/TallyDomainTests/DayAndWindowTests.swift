import Foundation
import Testing
import TallyDomain

/// Foundation's Gregorian calendar pinned to UTC: an independent oracle for civil dates, so the
/// hand-written day arithmetic is checked against a different implementation, not against itself.
private func utcCalendar() -> Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar
}

/// `YYYY-MM-DD` of the UTC day `number` days after 1970-01-01, as the oracle calendar sees it.
private func oracleISO(dayNumber: Int, calendar: Calendar) -> String {
    let date = Date(timeIntervalSince1970: Double(dayNumber) * 86_400)
    let parts = calendar.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
}

/// Zero-pads `value` to `width` digits, for building timestamps field by field.
private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Writes the instant `millis` as RFC 3339 in a zone `offsetMinutes` east of UTC, with the given
/// number of fraction digits, using the oracle calendar so the text is built without `Day`.
private func rfc3339(millis: Int64, offsetMinutes: Int, fractionDigits: Int) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: offsetMinutes * 60)!
    let wholeSeconds = millis.quotientAndRemainder(dividingBy: 1000)
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                        from: Date(timeIntervalSince1970: Double(wholeSeconds.quotient)))
    var text = "\(pad(parts.year!, 4))-\(pad(parts.month!, 2))-\(pad(parts.day!, 2))T"
        + "\(pad(parts.hour!, 2)):\(pad(parts.minute!, 2)):\(pad(parts.second!, 2))"
    if fractionDigits > 0 { text += "." + String(pad(Int(wholeSeconds.remainder), 3).prefix(fractionDigits)) }
    if offsetMinutes == 0 { return text + "Z" }
    let sign = offsetMinutes < 0 ? "-" : "+"
    return text + "\(sign)\(pad(abs(offsetMinutes) / 60, 2)):\(pad(abs(offsetMinutes) % 60, 2))"
}

@Suite("Day, RFC 3339 and ReportWindow")
struct DayAndWindowTests {
    @Test("Day and ISO text round-trip and agree with Foundation's calendar from 1901 to 2189")
    func roundTripAgainstCalendar() throws {
        let calendar = utcCalendar()
        for number in stride(from: -25_000, through: 80_000, by: 37) {
            let day = Day(number: Int32(number))
            let expected = oracleISO(dayNumber: number, calendar: calendar)
            #expect(day.iso == expected)
            #expect(Day(iso: expected) == day)
            let civil = day.civil
            #expect(Day(year: civil.year, month: civil.month, day: civil.day) == day)
        }
    }

    @Test("every day of 2023 to 2025 matches the calendar, including both ends of each month")
    func consecutiveDays() throws {
        let calendar = utcCalendar()
        let first = try #require(Day(iso: "2023-01-01"))
        for offset in 0..<(365 + 366 + 365) {
            #expect(first.advanced(by: offset).iso == oracleISO(dayNumber: Int(first.number) + offset, calendar: calendar))
        }
        #expect(first.advanced(by: 365 + 366 + 365).iso == "2026-01-01")
    }

    @Test("the epoch and its neighbours")
    func epoch() {
        #expect(Day(number: 0).iso == "1970-01-01")
        #expect(Day(number: -1).iso == "1969-12-31")
        #expect(Day(epochSeconds: 0) == Day(number: 0))
        #expect(Day(epochSeconds: 86_399) == Day(number: 0))
        #expect(Day(epochSeconds: 86_400) == Day(number: 1))
        #expect(Day(epochSeconds: -1) == Day(number: -1))
        #expect(Day(epochSeconds: -86_400) == Day(number: -1))
        #expect(Day(epochSeconds: -86_401) == Day(number: -2))
        #expect(Day(number: 3) > Day(number: 2))
        #expect(Day(number: 2).advanced(by: -5) == Day(number: -3))
    }

    @Test("leap years follow the Gregorian rules", arguments: [
        ("2024-02-29", true), ("2025-02-29", false), ("2000-02-29", true), ("1900-02-29", false),
        ("2100-02-29", false), ("2400-02-29", true), ("2023-02-28", true), ("2024-12-31", true),
    ])
    func leapYears(text: String, valid: Bool) {
        #expect((Day(iso: text) != nil) == valid)
        if valid { #expect(Day(iso: text)?.iso == text) }
    }

    @Test("a leap day sits between February 28 and March 1")
    func leapDayNeighbours() throws {
        let leap = try #require(Day(year: 2024, month: 2, day: 29))
        #expect(leap.advanced(by: -1).iso == "2024-02-28")
        #expect(leap.advanced(by: 1).iso == "2024-03-01")
        #expect(Day(iso: "2025-03-01")?.advanced(by: -1).iso == "2025-02-28")
    }

    @Test("rejects text that is not a real YYYY-MM-DD date", arguments: [
        "2025-02-30", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00", "2025-1-01", "2025-01-1",
        "20250101", "2025/01/01", " 2025-01-01", "2025-01-01 ", "+025-01-01", "2025-01-0a", "", "tomorrow",
    ])
    func rejectsBadISO(text: String) {
        #expect(Day(iso: text) == nil)
    }

    @Test("RFC 3339 parsing agrees with ISO8601DateFormatter across offsets and fraction lengths")
    func rfc3339AgainstFoundation() throws {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let offsets = [0, 330, -480, 840, -720, 345, -570]
        var millis: Int64 = 946_684_800_123 // 2000-01-01T00:00:00.123Z
        for step in 0..<400 {
            millis += 7_919_999_937 // about 92 days, so every step lands on a new date and time of day
            let offset = offsets[step % offsets.count]
            let digits = step % 4
            let text = rfc3339(millis: millis, offsetMinutes: offset, fractionDigits: digits)
            let formatter = digits == 0 ? plain : fractional
            let date = try #require(formatter.date(from: text), "Foundation cannot parse \(text)")
            let expected = Int64((date.timeIntervalSince1970 * 1000).rounded())
            #expect(RFC3339.epochMilliseconds(text) == expected, "\(text)")
            let kept: Int64 = [1000, 100, 10, 1][digits]
            #expect(expected == millis - millis % 1000 + (millis % 1000) / kept * kept, "\(text)")
        }
    }

    @Test("RFC 3339 edge forms: lower-case letters, a space, long fractions, a leap second")
    func rfc3339EdgeForms() {
        let base: Int64 = 1_773_570_030_000 // 2026-03-15T10:20:30Z
        #expect(RFC3339.epochMilliseconds("2026-03-15T10:20:30Z") == base)
        #expect(RFC3339.epochMilliseconds("2026-03-15t10:20:30z") == base)
        #expect(RFC3339.epochMilliseconds("2026-03-15 10:20:30Z") == base)
        #expect(RFC3339.epochMilliseconds("2026-03-15T10:20:30+00:00") == base)
        #expect(RFC3339.epochMilliseconds("2026-03-15T10:20:30-00:00") == base)
        #expect(RFC3339.epochMilliseconds("2026-03-15T10:20:30.5Z") == base + 500)
        #expect(RFC3339.epochMilliseconds("2026-03-15T10:20:30.123456789Z") == base + 123)
        #expect(RFC3339.epochMilliseconds("2026-03-15T15:50:30+05:30") == base)
        #expect(RFC3339.epochMilliseconds("2026-03-15T02:20:30-08:00") == base)
        // A leap second is held at :59 so it stays inside its own minute and UTC day.
        #expect(RFC3339.epochMilliseconds("2016-12-31T23:59:60Z") == RFC3339.epochMilliseconds("2016-12-31T23:59:59Z"))
        #expect(RFC3339.epochMilliseconds("1969-12-31T23:59:59.999Z") == -1)
    }

    @Test("RFC 3339 rejects ambiguous or malformed timestamps", arguments: [
        "2026-03-15T10:20:30", "2026-03-15T10:20:30.250", "2026-03-15", "2026-03-15T24:00:00Z", "2026-03-15T10:60:00Z",
        "2026-03-15T10:20:61Z", "2026-02-29T10:20:30Z", "2026-03-15T10:20:30.Z", "2026-03-15T10:20:30+0530",
        "2026-03-15T10:20:30+5:30", "2026-03-15T10:20:30+24:00", "2026-03-15T10:20:30+05:60", "2026-03-15T10:20:30Zjunk",
        "2026-03-15T10:20:30+05:30 ", "2026-03-15X10:20:30Z", "2026-3-15T10:20:30Z", "", "not a date at all",
    ])
    func rfc3339Rejects(text: String) {
        #expect(RFC3339.epochMilliseconds(text) == nil)
    }

    @Test("weekdays count from Monday and agree with Foundation's calendar on both sides of the epoch")
    func weekdays() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for number in Int32(-800)...800 {
            let day = Day(number: number)
            let weekday = calendar.component(.weekday, from: Date(timeIntervalSince1970: TimeInterval(number) * 86_400))
            #expect(day.weekdayFromMonday == (weekday + 5) % 7, "\(day)")
        }
        #expect(Day(iso: "2026-03-02")!.weekdayFromMonday == 0)
        #expect(Day(iso: "2026-03-01")!.weekdayFromMonday == 6)
    }

    @Test("an event's hour is the UTC hour of its instant within its day, before the epoch too")
    func hourOfDay() {
        func hour(_ millis: Int64) -> Int { Event(id: "e", kind: .conversationCreated, userId: "u", occurredAtMillis: millis).hourOfDay }
        #expect(hour(0) == 0)
        #expect(hour(3_599_999) == 0)
        #expect(hour(3_600_000) == 1)
        #expect(hour(86_399_999) == 23)
        #expect(hour(-1) == 23)
        #expect(hour(-3_600_000) == 23)
        #expect(hour(-3_600_001) == 22)
    }

    @Test("a 7-day window ending 2026-01-03 spans the year boundary")
    func windowAcrossYear() throws {
        let window = ReportWindow(periodDays: 7, end: try #require(Day(iso: "2026-01-03")))
        #expect(window.start.iso == "2025-12-28")
        #expect(window.days.map(\.iso) == ["2025-12-28", "2025-12-29", "2025-12-30", "2025-12-31",
                                           "2026-01-01", "2026-01-02", "2026-01-03"])
        #expect(window.previousEnd.iso == "2025-12-27")
        #expect(window.previousStart.iso == "2025-12-21")
        #expect(window.previous == ReportWindow(periodDays: 7, end: try #require(Day(iso: "2025-12-27"))))
        #expect(window.previous.days.count == 7)
        #expect(window.label == "last 7 days")
    }

    @Test("30-day windows ending March 1 start on the right day in leap and common years")
    func windowAcrossFebruary() throws {
        #expect(ReportWindow(periodDays: 30, end: try #require(Day(iso: "2024-03-01"))).start.iso == "2024-02-01")
        #expect(ReportWindow(periodDays: 30, end: try #require(Day(iso: "2025-03-01"))).start.iso == "2025-01-31")
        let window = ReportWindow(periodDays: 30, end: try #require(Day(iso: "2025-03-01")))
        #expect(window.previousEnd.iso == "2025-01-30")
        #expect(window.previousStart.iso == "2025-01-01")
    }

    @Test("a 365-day window's previous period covers the leap year before it")
    func longestWindow() throws {
        let window = ReportWindow(periodDays: 365, end: try #require(Day(iso: "2025-12-31")))
        #expect(window.start.iso == "2025-01-01")
        #expect(window.previousEnd.iso == "2024-12-31")
        #expect(window.previousStart.iso == "2024-01-02")
        #expect(window.label == "last 365 days")
    }

    @Test("a 1-day window is just its end day, labelled in the singular")
    func oneDayWindow() throws {
        let end = try #require(Day(iso: "2026-03-01"))
        let window = ReportWindow(periodDays: 1, end: end)
        #expect(window.days == [end])
        #expect(window.previousStart.iso == "2026-02-28")
        #expect(window.previousEnd.iso == "2026-02-28")
        #expect(window.label == "last 1 day")
    }

    @Test("window days agree with the calendar for many ends and lengths")
    func windowDaysAgainstCalendar() throws {
        let calendar = utcCalendar()
        for (endNumber, length) in [(20_454, 31), (19_783, 60), (20_088, 365), (11_016, 90), (20_512, 2)] {
            let window = ReportWindow(periodDays: length, end: Day(number: Int32(endNumber)))
            let expected = (0..<length).map { oracleISO(dayNumber: endNumber - length + 1 + $0, calendar: calendar) }
            #expect(window.days.map(\.iso) == expected)
            #expect(window.previous.days.last?.advanced(by: 1) == window.days.first)
            #expect(window.label == "last \(length) days")
        }
    }
}
