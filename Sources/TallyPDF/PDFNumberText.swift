import TallyDomain
import TallyReports

/// Figures as the PDF shows them: digits grouped in thousands (`12,345`, `1,234.50`), with their unit
/// (`45.10%`, `3.20 s`). Built from the exact integers of `ReportNumber`, so every machine prints
/// the same digits.
enum PDFNumberText {
    static func figure(_ number: ReportNumber, _ unit: FigureUnit) -> String {
        let digits = grouped(number)
        switch unit {
        case .percent: return digits + "%"
        case .seconds: return digits + " s"
        case .count, .ratio: return digits
        }
    }

    /// A change against the previous period, always signed: `+12`, `-3`, `0`.
    static func change(_ number: ReportNumber, _ unit: FigureUnit) -> String {
        let text = figure(number, unit)
        return number.inHundredths > 0 ? "+" + text : text
    }

    /// A figure of a table column whose `type` is `text` or a unit's raw value.
    static func cell(_ cell: Table.Cell, columnType: String) -> String {
        switch cell {
        case .number(let number): figure(number, FigureUnit(rawValue: columnType) ?? .count)
        case .text(let text): text
        case .empty: ""
        }
    }

    static func grouped(_ number: ReportNumber) -> String {
        switch number {
        case .count(let n): return group(n.magnitude, negative: n < 0)
        case .hundredths(let h):
            let cents = h.magnitude % 100
            return group(h.magnitude / 100, negative: h < 0) + "." + (cents < 10 ? "0" : "") + String(cents)
        }
    }

    /// An axis value in a unit's hundredths, as compact as its step allows: `1,500`, `2.5`, `0.25`.
    static func axis(hundredths value: Int64, step: Int64) -> String {
        if step % 100 == 0 { return group((value / 100).magnitude, negative: value < 0) }
        let digits = grouped(.hundredths(value))
        return step % 10 == 0 ? String(digits.dropLast()) : digits
    }

    private static func group(_ magnitude: UInt64, negative: Bool) -> String {
        let digits = Array(String(magnitude))
        var out = negative ? "-" : ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
