import TallyDomain

/// The figures a short summary of a document shows, e.g. the text of a scheduled report's mail.
extension ReportDocument {
    /// One key figure as text.
    public struct HeadlineFigure: Sendable, Equatable {
        public var label: String
        /// `1234`, `42.5%`, `12.3 s`.
        public var value: String
        /// `+56`, `-1.5%`; nil for a figure without a change.
        public var change: String?
    }

    /// The items of the document's first KPI group, in order; empty when it has none.
    public var headline: [HeadlineFigure] {
        for section in sections {
            for block in section.blocks {
                guard case .kpis(let group) = block else { continue }
                return group.items.map { item in
                    HeadlineFigure(label: item.label, value: item.unit.text(item.value),
                                   change: item.change.map { ($0.inHundredths > 0 ? "+" : "") + item.unit.text($0) })
                }
            }
        }
        return []
    }
}

extension FigureUnit {
    /// A figure in this unit as text: `42.5%`, `12.3 s`, `1234`.
    public func text(_ number: ReportNumber) -> String {
        switch self {
        case .percent: "\(number)%"
        case .seconds: "\(number) s"
        case .count, .ratio: number.description
        }
    }
}
