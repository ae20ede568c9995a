/// An RGB colour with components in 0…1, as cairo takes them.
struct PDFColor: Sendable, Equatable {
    var red: Double
    var green: Double
    var blue: Double

    init(_ red: Double, _ green: Double, _ blue: Double) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// The colour `fraction` of the way from `self` to `other`: how heat map cells are shaded.
    func mixed(with other: PDFColor, _ fraction: Double) -> PDFColor {
        let t = min(1, max(0, fraction))
        return PDFColor(red + (other.red - red) * t, green + (other.green - green) * t, blue + (other.blue - blue) * t)
    }

    static let text = PDFColor(0.13, 0.15, 0.18)
    static let muted = PDFColor(0.40, 0.43, 0.48)
    static let rule = PDFColor(0.80, 0.82, 0.85)
    static let grid = PDFColor(0.90, 0.91, 0.93)
    static let panel = PDFColor(0.96, 0.97, 0.98)
    static let stripe = PDFColor(0.975, 0.98, 0.985)
    static let header = PDFColor(0.92, 0.94, 0.96)
    static let accent = PDFColor(0.12, 0.35, 0.62)
    static let white = PDFColor(1, 1, 1)
    static let rise = PDFColor(0.10, 0.50, 0.25)
    static let fall = PDFColor(0.70, 0.16, 0.14)
    static let heatCold = PDFColor(0.95, 0.97, 1.0)
    static let heatHot = PDFColor(0.07, 0.24, 0.52)

    /// The lines of a chart, in order: distinguishable in colour and when printed in grey.
    static let palette = [PDFColor(0.12, 0.47, 0.71), PDFColor(1.0, 0.50, 0.05), PDFColor(0.17, 0.63, 0.17),
                          PDFColor(0.84, 0.15, 0.16), PDFColor(0.58, 0.40, 0.74)]

    static func series(_ index: Int) -> PDFColor { palette[index % palette.count] }
}
