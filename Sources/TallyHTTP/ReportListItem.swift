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
        id = report.id
        name = report.name
        description = report.description
        createdAt = report.createdAt
        updatedAt = report.updatedAt
        source = schemas.source(of: report.id)
        let entry = schemas.entry(for: report.id)
        input = entry?.input
        output = entry?.output
    }
}
