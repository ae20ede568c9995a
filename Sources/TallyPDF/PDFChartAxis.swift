import TallyReports

/// A value axis from 0 to a round top in about four round steps (1, 2 or 5 × a power of ten), for
/// figures held in hundredths. Integer arithmetic only, so every machine draws the same ticks.
struct PDFChartAxis {
    var top: Int64
    var step: Int64
    var unit: FigureUnit

    /// An axis covering `maximum` (hundredths). Counts step by whole numbers.
    init(maximum: Int64, unit: FigureUnit) {
        self.unit = unit
        let wanted = max(maximum, unit == .count ? 100 : 1)
        let raw = (wanted + 3) / 4
        var magnitude: Int64 = 1
        while magnitude * 10 <= raw { magnitude *= 10 }
        var step = magnitude * 10
        for factor: Int64 in [1, 2, 5] where magnitude * factor >= raw {
            step = magnitude * factor
            break
        }
        if unit == .count { step = max(100, (step + 99) / 100 * 100) }
        self.step = step
        self.top = (wanted + step - 1) / step * step
    }

    var ticks: [Int64] { Array(stride(from: Int64(0), through: top, by: Int64.Stride(step))) }

    /// The fraction of the axis `value` (hundredths) sits at, clamped to the axis.
    func fraction(_ value: Int64) -> Double { min(1, max(0, Double(value) / Double(top))) }

    func label(_ value: Int64) -> String {
        let digits = PDFNumberText.axis(hundredths: value, step: step)
        switch unit {
        case .percent: return digits + "%"
        case .seconds: return digits + " s"
        case .count, .ratio: return digits
        }
    }
}
