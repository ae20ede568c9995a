import TallyDomain

/// One report in `GET /api/v1/platform/report/list`: the catalog's fields, whose contract the report
/// follows (`source`), and its published input and output JSON Schemas, so that a client can
/// build a report's input and read its output without another document.
struct ReportListItem: Encodable {
    var id, name, description, createdAt, updatedAt: String
    var source: ReportSchemas.Source
    var input: JSONValue?
    var output: JSONValue?

    init(_ report: ReportDefinition, schemas: ReportSchemas) {
        self.init(id: report.id, name: report.name, description: report.description, createdAt: report.createdAt,
                  updatedAt: report.updatedAt, schemas: schemas)
    }

    /// A per-bot report, whose schemas are ChatBotKit's.
    init(_ report: BotReport, schemas: ReportSchemas) {
        self.init(id: report.id, name: report.name, description: report.description, createdAt: report.createdAt,
                  updatedAt: report.updatedAt, schemas: schemas)
    }

    /// A tenant-wide report, whose schemas are ChatBotKit's.
    init(_ report: TenantReport, schemas: ReportSchemas) {
        self.init(id: report.id, name: report.name, description: report.description, createdAt: report.createdAt,
                  updatedAt: report.updatedAt, schemas: schemas)
    }

    /// The Conversation Usage Report, whose schemas are ChatBotKit's.
    static var conversationUsage: ReportListItem {
        ReportListItem(id: ConversationUsageReport.id, name: ConversationUsageReport.name, description: ConversationUsageReport.description,
                       createdAt: ConversationUsageReport.createdAt, updatedAt: ConversationUsageReport.updatedAt, schemas: .embedded)
    }

    private init(id: String, name: String, description: String, createdAt: String, updatedAt: String, schemas: ReportSchemas) {
        self.id = id
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        source = schemas.source(of: id)
        let entry = schemas.entry(for: id)
        input = entry?.input
        output = entry?.output
    }
}
