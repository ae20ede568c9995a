import TallyDomain

/// One generated report as data: a title block and its sections. Every format is rendered from
/// this value, and the JSON format is this value itself (`schemas/report-document.schema.json`).
///
/// It is built from rollup readings only (`ReportDocumentBuilder`) and holds nothing a renderer
/// has to look up, so rendering does no I/O and is deterministic.
public struct ReportDocument: Sendable, Equatable, Encodable {
    /// The version of this document's shape; a change that breaks readers increments it.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int = Self.currentSchemaVersion
    public var title: TitleBlock
    public var sections: [Section]

    public init(title: TitleBlock, sections: [Section]) {
        self.title = title
        self.sections = sections
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", title, sections
    }
}

extension ReportDocument {
    /// What the report is about and which data it reflects.
    public struct TitleBlock: Sendable, Equatable, Encodable {
        public var title: String
        public var type: ReportType
        /// The tenant (`user_id`) the figures are of.
        public var tenant: String
        /// The slice the figures are restricted to (one bot or one channel), if any.
        public var slice: Slice?
        /// First and last local day of the period, inclusive (`YYYY-MM-DD`).
        public var periodStart: String
        public var periodEnd: String
        /// The IANA zone whose days the figures are counted in.
        public var timeZone: String
        /// When the document was built (RFC 3339, UTC, milliseconds).
        public var generatedAt: String
        /// The ingest position the figures were read at.
        public var dataAsOf: DataAsOf

        public init(title: String, type: ReportType, tenant: String, slice: Slice?, periodStart: Day, periodEnd: Day, timeZone: String,
                    generatedAt: String, dataAsOf: DataAsOf) {
            self.title = title
            self.type = type
            self.tenant = tenant
            self.slice = slice
            self.periodStart = periodStart.iso
            self.periodEnd = periodEnd.iso
            self.timeZone = timeZone
            self.generatedAt = generatedAt
            self.dataAsOf = dataAsOf
        }

        enum CodingKeys: String, CodingKey {
            case title, type, tenant, slice, periodStart = "period_start", periodEnd = "period_end", timeZone = "time_zone"
            case generatedAt = "generated_at", dataAsOf = "data_as_of"
        }
    }

    /// A bot or channel the report is restricted to.
    public struct Slice: Sendable, Equatable, Encodable {
        /// `bot_id` or `channel`.
        public var dimension: String
        public var value: String
        public init(dimension: String, value: String) { self.dimension = dimension; self.value = value }
    }

    /// Which events the figures reflect: the newest committed ingest batch's time and the next
    /// offset of every partition the rollup store consumed, read in the same snapshot as the rollups.
    public struct DataAsOf: Sendable, Equatable, Codable {
        /// RFC 3339 time of the newest committed batch, or nil for a store that never ingested.
        public var committedAt: String?
        public var offsets: [Offset]

        public init(committedAt: String?, offsets: [Offset]) {
            self.committedAt = committedAt
            self.offsets = offsets
        }

        public struct Offset: Sendable, Equatable, Codable {
            public var topic: String
            public var partition: Int32
            /// The first offset not yet reflected.
            public var nextOffset: Int64
            public init(topic: String, partition: Int32, nextOffset: Int64) { self.topic = topic; self.partition = partition; self.nextOffset = nextOffset }
            enum CodingKeys: String, CodingKey { case topic, partition, nextOffset = "next_offset" }
        }

        enum CodingKeys: String, CodingKey { case committedAt = "committed_at", offsets }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            // Always present, null before the first batch, so readers need not guess.
            try container.encode(committedAt, forKey: .committedAt)
            try container.encode(offsets, forKey: .offsets)
        }
    }

    /// One section: a stable name, a heading and its content blocks, in display order.
    public struct Section: Sendable, Equatable, Encodable {
        public var name: SectionName
        public var title: String
        public var blocks: [Block]
        public init(name: SectionName, title: String? = nil, blocks: [Block]) {
            self.name = name
            self.title = title ?? name.title
            self.blocks = blocks
        }
    }
}
