import TallyDomain

/// A section's content: key figures, daily series, tables and heat maps. Each block has a stable
/// `name` within its section, which the CSV uses as the metric's prefix.
public enum Block: Sendable, Equatable, Encodable {
    case kpis(KPIGroup)
    case series(Series)
    case table(Table)
    case heatmap(Heatmap)

    /// The block's stable name within its section.
    public var name: String {
        switch self {
        case .kpis(let group): group.name
        case .series(let series): series.name
        case .table(let table): table.name
        case .heatmap(let heatmap): heatmap.name
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .kpis(let value): try value.encode(to: encoder)
        case .series(let value): try value.encode(to: encoder)
        case .table(let value): try value.encode(to: encoder)
        case .heatmap(let value): try value.encode(to: encoder)
        }
    }
}

/// How a figure is to be read.
public enum FigureUnit: String, Sendable, Equatable, Encodable {
    case count, percent, seconds, ratio
}

/// Key figures, each with its change against the previous period of the same length.
public struct KPIGroup: Sendable, Equatable, Encodable {
    public var kind = "kpis"
    public var name: String
    public var items: [KPI]
    public init(name: String = "kpis", items: [KPI]) { self.name = name; self.items = items }

    public struct KPI: Sendable, Equatable, Encodable {
        /// Stable metric name, e.g. `conversations`.
        public var name: String
        public var label: String
        public var unit: FigureUnit
        public var value: ReportNumber
        /// value − the previous period's value, in the same unit; nil for a figure without one.
        public var change: ReportNumber?
        public init(name: String, label: String, unit: FigureUnit, value: ReportNumber, change: ReportNumber?) {
            self.name = name
            self.label = label
            self.unit = unit
            self.value = value
            self.change = change
        }

        enum CodingKeys: String, CodingKey { case name, label, unit, value, change }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(label, forKey: .label)
            try container.encode(unit, forKey: .unit)
            try container.encode(value, forKey: .value)
            try container.encode(change, forKey: .change)
        }
    }
}

/// Daily lines over the period: one value per day of `dates` in each line.
public struct Series: Sendable, Equatable, Encodable {
    public var kind = "series"
    public var name: String
    public var title: String
    public var unit: FigureUnit
    /// Every day of the period, `YYYY-MM-DD`, oldest first.
    public var dates: [String]
    public var lines: [Line]
    public init(name: String, title: String, unit: FigureUnit, dates: [String], lines: [Line]) {
        self.name = name
        self.title = title
        self.unit = unit
        self.dates = dates
        self.lines = lines
    }

    public struct Line: Sendable, Equatable, Encodable {
        public var name: String
        public var label: String
        public var values: [ReportNumber]
        public init(name: String, label: String, values: [ReportNumber]) { self.name = name; self.label = label; self.values = values }
    }
}

/// Rows of cells under named columns. The first column is the row's key (a bot id, a bucket).
public struct Table: Sendable, Equatable, Encodable {
    public var kind = "table"
    public var name: String
    public var title: String
    public var columns: [Column]
    public var rows: [[Cell]]
    public init(name: String, title: String, columns: [Column], rows: [[Cell]]) {
        self.name = name
        self.title = title
        self.columns = columns
        self.rows = rows
    }

    public struct Column: Sendable, Equatable, Encodable {
        public var name: String
        public var label: String
        /// `text` or a figure's unit.
        public var type: String
        public init(name: String, label: String, type: String) { self.name = name; self.label = label; self.type = type }
        public static func text(_ name: String, _ label: String) -> Column { Column(name: name, label: label, type: "text") }
        public static func number(_ name: String, _ label: String, _ unit: FigureUnit = .count) -> Column {
            Column(name: name, label: label, type: unit.rawValue)
        }
    }

    /// A cell: text (untrusted: may come from events), a figure, or nothing.
    public enum Cell: Sendable, Equatable, Encodable {
        case text(String)
        case number(ReportNumber)
        case empty

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .number(let number): try number.encode(to: encoder)
            case .empty: try container.encodeNil()
            }
        }

        /// The cell as plain text, as CSV and HTML show it.
        public var text: String {
            switch self {
            case .text(let text): text
            case .number(let number): number.description
            case .empty: ""
            }
        }
    }
}

/// A 7 × 24 matrix: messages per weekday (Monday first) and local hour.
public struct Heatmap: Sendable, Equatable, Encodable {
    public static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    public var kind = "heatmap"
    public var name: String
    public var title: String
    public var rowLabels: [String] = Self.weekdays
    public var columnLabels: [String] = (0..<24).map { $0 < 10 ? "0\($0)" : "\($0)" }
    public var values: [[Int64]]
    public init(name: String, title: String, values: [[Int64]]) { self.name = name; self.title = title; self.values = values }

    enum CodingKeys: String, CodingKey { case kind, name, title, rowLabels = "row_labels", columnLabels = "column_labels", values }
}
