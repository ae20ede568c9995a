import Foundation
import Hummingbird
import TallyDomain
import TallyReports
import TallySettings

/// `/api/v1/reports/templates`: the read-only built-ins (one per type) and custom templates, which
/// belong to a tenant or, made with a platform-wide key and no `user_id`, to the platform.
/// Reading needs report_viewer; creating, replacing and deleting need report_admin. Each `PUT`
/// increments `version`, and a report records the version it used.
struct ReportTemplatesController {
    let settings: SettingsStore
    let nowMillis: @Sendable () -> Int64

    static let allowedProperties = ["name", "description", "type", "sections", "format", "include_charts", "period_days", "user_id"]

    func addRoutes(to group: RouterGroup<TallyRequestContext>) {
        group.get("reports/templates", use: list)
        group.post("reports/templates", use: create)
        group.get("reports/templates/:templateId", use: get)
        group.put("reports/templates/:templateId", use: replace)
        group.delete("reports/templates/:templateId", use: delete)
    }

    struct ListBody: Encodable { var items: [ReportTemplate] }

    @Sendable func list(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.view, of: key, to: "reading templates")
        let custom = try await Self.call { try await settings.reportTemplates(visibleTo: key.userId) }.compactMap(ReportTemplate.init)
        return JSONResponse.make(body: ListBody(items: ReportTemplate.builtIns + custom))
    }

    @Sendable func get(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.view, of: key, to: "reading templates")
        let id = context.parameters.decoded("templateId")
        if let builtIn = ReportTemplate.builtIn(id: id) { return JSONResponse.make(body: builtIn) }
        return JSONResponse.make(body: try await visibleCustom(id, key: key))
    }

    @Sendable func create(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.administer, of: key, to: "managing templates")
        let fields = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        let owner = try Self.owner(fields, key: key)
        let now = nowMillis()
        let record = try Self.record(fields, id: "tpl_" + KeySecrets.randomHex(bytes: 8), owner: owner, version: 1, key: key,
                                     createdAt: now, updatedAt: now)
        try await Self.call { try settings.apply(.createReportTemplate(record), auditing: .templateCreate, target: record.id, userId: record.userId, context: context) }
        return JSONResponse.make(status: .created, body: ReportTemplate(record))
    }

    @Sendable func replace(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.administer, of: key, to: "managing templates")
        let id = context.parameters.decoded("templateId")
        try Self.refuseBuiltIn(id)
        let stored = try await visibleRecord(id, key: key, toChange: true)
        let fields = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        let owner = fields["user_id"] == nil ? stored.userId : try Self.owner(fields, key: key)
        let record = try Self.record(fields, id: id, owner: owner, version: stored.version + 1, key: key, createdAt: stored.createdAtMillis,
                                     updatedAt: nowMillis())
        try await Self.call { try settings.apply(.updateReportTemplate(record), auditing: .templateUpdate, target: id, userId: record.userId, context: context) }
        return JSONResponse.make(body: ReportTemplate(record))
    }

    @Sendable func delete(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.administer, of: key, to: "managing templates")
        let id = context.parameters.decoded("templateId")
        try Self.refuseBuiltIn(id)
        let stored = try await visibleRecord(id, key: key, toChange: true)
        // A schedule generates from its template at every run: it must be changed or deleted first.
        let users = try await Self.call { try await settings.allReportSchedules() }.filter { $0.templateId == id }.map(\.id)
        if !users.isEmpty {
            throw APIError(.conflict, code: "template_in_use",
                           "template '\(id)' is used by schedule\(users.count == 1 ? "" : "s") \(users.prefix(10).joined(separator: ", ")); change or delete \(users.count == 1 ? "it" : "them") first")
        }
        try await Self.call {
            try settings.apply(.deleteReportTemplate(id: id, deletedAtMillis: nowMillis()), auditing: .templateDelete, target: id, userId: stored.userId,
                               context: context)
        }
        return Response(status: .noContent)
    }

    /// The template `template_id` names in a generate body: a built-in, or a custom one (whose
    /// tenant the caller checks against the report's).
    static func resolve(_ value: JSONValue?, settings: SettingsStore) async throws -> ReportTemplate? {
        switch value {
        case nil, .null?: return nil
        case .string(let id)?:
            if let builtIn = ReportTemplate.builtIn(id: id) { return builtIn }
            guard Identifier.isValid(id), let record = try await call({ try await settings.reportTemplate(id: id) }),
                  let template = ReportTemplate(record) else {
                throw APIError(.badRequest, code: "template_not_found", "no template with id '\(id.prefix(64))'")
            }
            return template
        default:
            throw APIError.badRequest("invalid_parameter", "template_id must be a string")
        }
    }

    /// The custom template `id` when `key` may see it (its tenant's or the platform's); 404 for
    /// another tenant's. A tenant key reads platform templates but may not change them.
    private func visibleRecord(_ id: String, key: ApiKey, toChange: Bool = false) async throws -> ReportTemplateRecord {
        guard Identifier.isValid(id), let record = try await Self.call({ try await settings.reportTemplate(id: id) }),
              key.userId == nil || record.userId == nil || record.userId == key.userId else {
            throw APIError(.notFound, code: "template_not_found", "no template with id '\(id.prefix(64))'")
        }
        if toChange, key.userId != nil, record.userId == nil {
            throw APIError(.forbidden, code: "forbidden_tenant", "platform template '\(id)' is managed with a platform-wide key")
        }
        return record
    }

    private func visibleCustom(_ id: String, key: ApiKey) async throws -> ReportTemplate {
        guard let template = ReportTemplate(try await visibleRecord(id, key: key)) else {
            throw APIError(.notFound, code: "template_not_found", "no template with id '\(id.prefix(64))'")
        }
        return template
    }

    private static func refuseBuiltIn(_ id: String) throws(APIError) {
        if ReportTemplate.builtIn(id: id) != nil {
            throw APIError(.forbidden, code: "template_read_only", "built-in template '\(id)' cannot be changed; create a custom one")
        }
    }

    /// The tenant a template belongs to: a tenant key's own; for a platform key `user_id`, or none.
    private static func owner(_ fields: [String: JSONValue], key: ApiKey) throws(APIError) -> String? {
        let asked = try GenerateReportInput.identifier(fields, "user_id")
        if let own = key.userId {
            if let asked, asked != own { throw APIError(.forbidden, code: "forbidden_tenant", "this key may only manage user_id '\(own)'") }
            return own
        }
        return asked
    }

    /// A template body validated as generate validates the same fields.
    private static func record(_ fields: [String: JSONValue], id: String, owner: String?, version: Int, key: ApiKey, createdAt: Int64,
                               updatedAt: Int64) throws(APIError) -> ReportTemplateRecord {
        try JSONRequestBody.refuseUnknown(fields, allowed: allowedProperties)
        guard case .string(let name)? = fields["name"], (1...200).contains(name.count) else {
            throw .badRequest("invalid_parameter", "name must be a string of 1 to 200 characters")
        }
        var description = ""
        switch fields["description"] {
        case nil, .null?: break
        case .string(let text)? where text.count <= 1000: description = text
        default: throw .badRequest("invalid_parameter", "description must be a string of at most 1000 characters")
        }
        var periodDays = GenerateReportInput.defaultPeriodDays
        switch fields["period_days"] {
        case nil, .null?: break
        case .integer(let n)? where (1...Int64(ReportSpec.maximumDays)).contains(n): periodDays = Int(n)
        default: throw .badRequest("invalid_parameter", "period_days must be an integer from 1 to \(ReportSpec.maximumDays)")
        }
        // type, format, sections and include_charts as generate reads them.
        var shape = fields.filter { ["type", "format", "sections", "include_charts"].contains($0.key) }
        shape["user_id"] = nil
        let input = try GenerateReportInput.parse(shape, template: nil)
        if input.type.needsAdministrativeRole { try ReportPermission.require(.administer, of: key, to: "a compliance template") }
        return ReportTemplateRecord(id: id, userId: owner, name: name, description: description, type: input.type.rawValue,
                                    sections: input.sections.map(\.rawValue), format: input.format.rawValue, includeCharts: input.includeCharts,
                                    periodDays: periodDays, version: version, createdByKeyId: key.id, createdAtMillis: createdAt,
                                    updatedAtMillis: updatedAt,
                                    sectionLimits: Dictionary(uniqueKeysWithValues: input.sectionLimits.map { ($0.key.rawValue, $0.value) }))
    }

    /// A settings store call; its failures become the API's errors.
    static func call<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as SettingsError {
            switch error.code {
            case .templateNotFound: throw APIError(.notFound, code: "template_not_found", error.message)
            case .templateConflict: throw APIError(.conflict, code: "template_conflict", error.message)
            default: throw APIError(.serviceUnavailable, code: error.code.rawValue, "the settings store could not be used: \(error.message)")
            }
        }
    }
}
