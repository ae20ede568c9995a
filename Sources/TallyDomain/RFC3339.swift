/// Parses RFC 3339 timestamps that carry an explicit offset (`Z` or `±HH:MM`).
///
/// Events are counted in the UTC day of their instant, so a timestamp without an offset is
/// ambiguous and rejected. A hand-written parser keeps decoding allocation-free on the hot path.
public enum RFC3339 {
    /// Milliseconds since the epoch, or nil when `text` is not an RFC 3339 date-time with offset.
    public static func epochMilliseconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    static func parse<Bytes: RandomAccessCollection<UInt8>>(_ b: Bytes) -> Int64? where Bytes.Index == Int {
        let s = b.startIndex
        guard b.count >= 20,
              b[s + 4] == UInt8(ascii: "-"), b[s + 7] == UInt8(ascii: "-"),
              [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[s + 10]),
              b[s + 13] == UInt8(ascii: ":"), b[s + 16] == UInt8(ascii: ":"),
              let year = Digits.parse(b[s..<s + 4]), let month = Digits.parse(b[s + 5..<s + 7]),
              let dayOfMonth = Digits.parse(b[s + 8..<s + 10]), let hour = Digits.parse(b[s + 11..<s + 13]),
              let minute = Digits.parse(b[s + 14..<s + 16]), let second = Digits.parse(b[s + 17..<s + 19]),
              let day = Day(year: year, month: month, day: dayOfMonth),
              hour < 24, minute < 60, second <= 60 else { return nil }
        var i = s + 19
        var millis = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.endIndex, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        guard i < b.endIndex else { return nil }
        var offsetSeconds = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard i + 1 == b.endIndex else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard b.endIndex - i == 6, b[i + 3] == UInt8(ascii: ":"),
                  let oh = Digits.parse(b[i + 1..<i + 3]), let om = Digits.parse(b[i + 4..<i + 6]),
                  oh < 24, om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let seconds = Int64(day.number) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
        return seconds * 1000 + Int64(millis)
    }
}
