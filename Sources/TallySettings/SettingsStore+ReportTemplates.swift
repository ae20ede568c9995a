import Foundation
import GRDB

/// Custom report templates: the stable JSON of their commands, their effect, and their reads.
///
/// ```json
/// {"createdAtMillis":1,"createdByKeyId":"key_x","description":"","format":"csv","includeCharts":true,"name":"Weekly","periodDays":7,"reportType":"usage","sections":["usage_summary"],"templateId":"tpl_1","templateVersion":1,"type":"createReportTemplate","updatedAtMillis":1,"userId":"tenant-1"}
/// {"deletedAtMillis":2,"templateId":"tpl_1","type":"deleteReportTemplate"}
/// ```
///
/// `sectionLimits` (`{"top_conversations":25}`) is present only when a section has a `limit`.
extension SettingsCommand {
    static func decodeReportTemplateCommand(from container: KeyedDecodingContainer<CodingKeys>) throws -> SettingsCommand {
        let id = try container.decode(String.self, forKey: .templateId)
        let kind = try container.decode(Kind.self, forKey: .type)
        if kind == .deleteReportTemplate {
            return .deleteReportTemplate(id: id, deletedAtMillis: try container.decode(Int64.self, forKey: .deletedAtMillis))
        }
        let record = ReportTemplateRecord(
            id: id, userId: try container.decodeIfPresent(String.self, forKey: .userId), name: try container.decode(String.self, forKey: .name),
            description: try container.decode(String.self, forKey: .description), type: try container.decode(String.self, forKey: .reportType),
            sections: try container.decode([String].self, forKey: .sections), format: try container.decode(String.self, forKey: .format),
            includeCharts: try container.decode(Bool.self, forKey: .includeCharts), periodDays: try container.decode(Int.self, forKey: .periodDays),
            version: try container.decode(Int.self, forKey: .templateVersion), createdByKeyId: try container.decode(String.self, forKey: .createdByKeyId),
            createdAtMillis: try container.decode(Int64.self, forKey: .createdAtMillis),
            updatedAtMillis: try container.decode(Int64.self, forKey: .updatedAtMillis),
            sectionLimits: try container.decodeIfPresent([String: Int].self, forKey: .sectionLimits) ?? [:])
        return kind == .createReportTemplate ? .createReportTemplate(record) : .updateReportTemplate(record)
    }

    func encodeReportTemplateCommand(into container: inout KeyedEncodingContainer<CodingKeys>) throws {
        switch self {
        case .createReportTemplate(let record), .updateReportTemplate(let record):
            if case .createReportTemplate = self {
                try container.encode(Kind.createReportTemplate, forKey: .type)
            } else {
                try container.encode(Kind.updateReportTemplate, forKey: .type)
            }
            try container.encode(record.id, forKey: .templateId)
            try container.encodeIfPresent(record.userId, forKey: .userId)
            try container.encode(record.name, forKey: .name)
            try container.encode(record.description, forKey: .description)
            try container.encode(record.type, forKey: .reportType)
            try container.encode(record.sections, forKey: .sections)
            if !record.sectionLimits.isEmpty { try container.encode(record.sectionLimits, forKey: .sectionLimits) }
            try container.encode(record.format, forKey: .format)
            try container.encode(record.includeCharts, forKey: .includeCharts)
            try container.encode(record.periodDays, forKey: .periodDays)
            try container.encode(record.version, forKey: .templateVersion)
            try container.encode(record.createdByKeyId, forKey: .createdByKeyId)
            try container.encode(record.createdAtMillis, forKey: .createdAtMillis)
            try container.encode(record.updatedAtMillis, forKey: .updatedAtMillis)
        case let .deleteReportTemplate(id, deletedAtMillis):
            try container.encode(Kind.deleteReportTemplate, forKey: .type)
            try container.encode(id, forKey: .templateId)
            try container.encode(deletedAtMillis, forKey: .deletedAtMillis)
        default:
            preconditionFailure("not a report template command: \(type)")
        }
    }
}

extension SettingsStore {
    static func executeReportTemplateCommand(_ command: SettingsCommand, in db: Database) throws {
        switch command {
        case .createReportTemplate(let record):
            guard record.version == 1 else { throw SettingsError(.templateConflict, "a new template starts at version 1") }
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM report_templates WHERE id = ?)", arguments: [record.id])! {
                throw SettingsError(.templateConflict, "a template with id '\(record.id)' exists already")
            }
            try db.execute(sql: "INSERT INTO report_templates (id, user_id, name, body, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [record.id, record.userId, record.name, try TemplateRows.body(record), record.version, record.createdAtMillis,
                                       record.updatedAtMillis])
        case .updateReportTemplate(let record):
            guard let stored = try Int.fetchOne(db, sql: "SELECT version FROM report_templates WHERE id = ?", arguments: [record.id]) else {
                throw SettingsError(.templateNotFound, "no template with id '\(record.id)'")
            }
            guard record.version == stored + 1 else {
                throw SettingsError(.templateConflict, "template '\(record.id)' is at version \(stored); an update must carry version \(stored + 1)")
            }
            try db.execute(sql: "UPDATE report_templates SET user_id = ?, name = ?, body = ?, version = ?, updated_at = ? WHERE id = ?",
                           arguments: [record.userId, record.name, try TemplateRows.body(record), record.version, record.updatedAtMillis, record.id])
        case let .deleteReportTemplate(id, _):
            try db.execute(sql: "DELETE FROM report_templates WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw SettingsError(.templateNotFound, "no template with id '\(id)'") }
        default:
            preconditionFailure("not a report template command: \(command.type)")
        }
    }

    /// One custom template, or nil; off the caller's thread.
    public func reportTemplate(id: String) async throws(SettingsError) -> ReportTemplateRecord? {
        try await readAsync { db in
            try Row.fetchOne(db, sql: "SELECT id, user_id, name, body, version, created_at, updated_at FROM report_templates WHERE id = ?",
                             arguments: [id]).map(TemplateRows.record)
        }
    }

    /// The custom templates a key sees: a tenant's and the platform's (nil `userId`: every one), by id.
    public func reportTemplates(visibleTo userId: String?) async throws(SettingsError) -> [ReportTemplateRecord] {
        try await readAsync { db in
            let filter = userId == nil ? "" : "WHERE user_id IS NULL OR user_id = ?"
            return try Row.fetchAll(db, sql: "SELECT id, user_id, name, body, version, created_at, updated_at FROM report_templates \(filter) ORDER BY id",
                                    arguments: userId.map { [$0] } ?? []).map(TemplateRows.record)
        }
    }
}

/// The JSON body column of `report_templates`.
enum TemplateRows {
    struct Body: Codable {
        var description: String
        var type: String
        var sections: [String]
        /// Absent in bodies stored before section limits existed, and when no section has one.
        var sectionLimits: [String: Int]?
        var format: String
        var includeCharts: Bool
        var periodDays: Int
        var createdByKeyId: String
    }

    static func body(_ r: ReportTemplateRecord) throws -> String {
        try ReportJobRows.json(Body(description: r.description, type: r.type, sections: r.sections,
                                    sectionLimits: r.sectionLimits.isEmpty ? nil : r.sectionLimits, format: r.format, includeCharts: r.includeCharts,
                                    periodDays: r.periodDays, createdByKeyId: r.createdByKeyId))
    }

    static func record(_ row: Row) throws -> ReportTemplateRecord {
        let id: String = row[0]
        let body: Body
        do { body = try JSONDecoder().decode(Body.self, from: Data((row[3] as String).utf8)) } catch {
            throw SettingsError(.corrupt, "template '\(id)' has an unreadable body")
        }
        return ReportTemplateRecord(id: id, userId: row[1], name: row[2], description: body.description, type: body.type, sections: body.sections,
                                    format: body.format, includeCharts: body.includeCharts, periodDays: body.periodDays, version: row[4],
                                    createdByKeyId: body.createdByKeyId, createdAtMillis: row[5], updatedAtMillis: row[6],
                                    sectionLimits: body.sectionLimits ?? [:])
    }
}
