import CXLSXWriter
import TallyDomain

/// The document's days and times as Excel dates: parsed from the exact forms Tally writes, so that
/// a cell holds a real date (a serial number with a date format) rather than text that looks like one.
enum XLSXDateTime {
    /// A `YYYY-MM-DD` day at midnight.
    static func day(_ iso: String) -> lxw_datetime? {
        guard let day = Day(iso: iso) else { return nil }
        let civil = day.civil
        return lxw_datetime(year: Int32(civil.year), month: Int32(civil.month), day: Int32(civil.day), hour: 0, min: 0, sec: 0)
    }

    /// A UTC time as `ReportDocumentBuilder.rfc3339(millis:)` writes it, `2026-03-15T12:00:00.000Z`
    /// (the milliseconds optional), with its seconds since 1970. Anything else is nil: times with
    /// other offsets are not Tally's, and guessing would shift them.
    static func utc(_ text: String) -> (datetime: lxw_datetime, epochSeconds: Int64)? {
        let parts = text.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2, let day = Day(iso: String(parts[0])), parts[1].hasSuffix("Z") else { return nil }
        let clock = parts[1].dropLast()
        let secondParts = clock.split(separator: ".", omittingEmptySubsequences: false)
        guard secondParts.count <= 2 else { return nil }
        let fields = secondParts[0].split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, fields.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(fields[0]), let minute = Int(fields[1]), let second = Int(fields[2]),
              (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        var millis = 0
        if secondParts.count == 2 {
            let fraction = secondParts[1]
            guard fraction.count == 3, let value = Int(fraction), fraction.allSatisfy(\.isASCII) else { return nil }
            millis = value
        }
        let civil = day.civil
        let datetime = lxw_datetime(year: Int32(civil.year), month: Int32(civil.month), day: Int32(civil.day),
                                    hour: Int32(hour), min: Int32(minute), sec: Double(second) + Double(millis) / 1000)
        let epochSeconds = Int64(day.number) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return (datetime, epochSeconds)
    }
}
