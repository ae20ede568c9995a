/// A table's column widths, found the way HTML's automatic table layout finds them: each column
/// has a minimum (its longest word, as figures and ids must not break) and a natural width (its
/// longest cell on one line). The type is made smaller only when the minimums do not fit; the
/// width between the minimums and the page is shared in proportion to what each column lacks.
struct PDFColumnWidths {
    /// At the base size, without padding.
    var minimum: [Double]
    var natural: [Double]
    /// Added to every column at every size: the cell's inner margins.
    var padding: Double

    /// Sizes to try, as fractions of the base size, largest first.
    static let scales = [1.0, 0.875, 0.8125, 0.75]

    /// A table whose every cell fits on one line is this share of the page wide, or its natural
    /// width times `compactGrowth`, whichever is wider.
    static let compactShare = 0.6
    static let compactGrowth = 1.5

    /// The largest scale at which every column's minimum fits `available`, and the widths there:
    /// all of `available` when any text wraps, less for a table of short cells.
    func fit(_ available: Double) -> (scale: Double, widths: [Double]) {
        guard !minimum.isEmpty else { return (1, []) }
        let paddings = padding * Double(minimum.count)
        let scale = Self.scales.first { minimum.reduce(0, +) * $0 + paddings <= available } ?? Self.scales.last!
        let low = minimum.map { $0 * scale + padding }
        let high = zip(minimum, natural).map { max($0, $1) * scale + padding }
        let lowTotal = low.reduce(0, +), highTotal = high.reduce(0, +)
        if lowTotal >= available {
            // Even the smallest type does not fit the words: squeeze, and let pango break them.
            return (scale, low.map { $0 * available / lowTotal })
        }
        if highTotal <= available {
            // Everything fits on one line: the rest is shared evenly, up to a width that keeps a
            // few short columns readable across (a label and its figure not a page apart).
            let width = min(available, max(highTotal, Self.compactShare * available, highTotal * Self.compactGrowth))
            let spare = (width - highTotal) / Double(high.count)
            return (scale, high.map { $0 + spare })
        }
        let share = (available - lowTotal) / (highTotal - lowTotal)
        return (scale, zip(low, high).map { $0 + ($1 - $0) * share })
    }
}
