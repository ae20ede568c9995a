import Foundation
import GRDB
import TallyDomain

/// How the report job commands change `report_jobs`, inside `apply`'s transaction.
extension SettingsStore {
    static func executeReportJobCommand(_ command: SettingsCommand, in db: Database) throws {
        switch command {
        case .createReportJob(let request):
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM report_jobs WHERE id = ?)", arguments: [request.id])! {
                throw SettingsError(.reportJobExists, "a report with id '\(request.id)' exists already")
            }
            try db.execute(sql: """
                INSERT INTO report_jobs (id, user_id, type, format, title, request, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)
                """, arguments: [request.id, request.userId, request.type, request.format, request.title, try ReportJobRows.requestJSON(request),
                                 request.createdAtMillis])
        case let .startReportJob(id, startedAtMillis):
            try requireState(of: id, in: [.pending, .running], doing: "start", db: db)
            try db.execute(sql: "UPDATE report_jobs SET state = 'running', started_at = ?, attempts = attempts + 1 WHERE id = ?",
                           arguments: [startedAtMillis, id])
        case .completeReportJob(let completion):
            try requireState(of: completion.id, in: [.running], doing: "complete", db: db)
            try db.execute(sql: """
                UPDATE report_jobs SET state = 'completed', completed_at = ?, file_name = ?, size_bytes = ?, sha256 = ?, data_as_of = ?, error = NULL,
                headline = ? WHERE id = ?
                """, arguments: [completion.completedAtMillis, completion.fileName, completion.sizeBytes, completion.sha256,
                                 try ReportJobRows.json(completion.dataAsOf),
                                 completion.headline.isEmpty ? nil : try ReportJobRows.json(completion.headline), completion.id])
        case let .failReportJob(id, failedAtMillis, error):
            try requireState(of: id, in: [.pending, .running], doing: "fail", db: db)
            try db.execute(sql: "UPDATE report_jobs SET state = 'failed', completed_at = ?, error = ? WHERE id = ?",
                           arguments: [failedAtMillis, error, id])
        case let .deleteReportJob(id, _):
            try db.execute(sql: "DELETE FROM report_jobs WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw SettingsError(.reportNotFound, "no report with id '\(id)'") }
        default:
            preconditionFailure("not a report job command: \(command.type)")
        }
    }

    private static func requireState(of id: String, in allowed: [ReportJob.State], doing action: String, db: Database) throws {
        guard let raw = try String.fetchOne(db, sql: "SELECT state FROM report_jobs WHERE id = ?", arguments: [id]) else {
            throw SettingsError(.reportNotFound, "no report with id '\(id)'")
        }
        guard let state = ReportJob.State(rawValue: raw), allowed.contains(state) else {
            throw SettingsError(.reportJobState, "report '\(id)' is \(raw); only a \(allowed.map(\.rawValue).joined(separator: " or ")) report can \(action)")
        }
    }

    /// What a report job command must satisfy whatever the state.
    static func validateReportJobCommand(_ command: SettingsCommand) throws(SettingsError) {
        func requireId(_ id: String) throws(SettingsError) {
            guard Identifier.isValid(id) else { throw SettingsError(.invalidCommand, "a report id must be 1 to 128 characters without control characters") }
        }
        switch command {
        case .createReportJob(let request):
            try requireId(request.id)
            guard Identifier.isValid(request.userId) else { throw SettingsError(.invalidCommand, "userId must be 1 to 128 characters without control characters") }
            guard Day(iso: request.startDate) != nil, Day(iso: request.endDate) != nil else {
                throw SettingsError(.invalidCommand, "startDate and endDate must be dates as YYYY-MM-DD")
            }
            guard !request.sections.isEmpty else { throw SettingsError(.invalidCommand, "a report job needs at least one section") }
        case .startReportJob(let id, _), .failReportJob(let id, _, _), .deleteReportJob(let id, _):
            try requireId(id)
        case .completeReportJob(let completion):
            try requireId(completion.id)
            guard completion.sha256.utf8.count == 64 else { throw SettingsError(.invalidCommand, "sha256 must be 64 hex digits") }
        default:
            preconditionFailure("not a report job command: \(command.type)")
        }
    }
}

/// The JSON columns of `report_jobs`: the request's fields beyond the plain columns, and data_as_of.
enum ReportJobRows {
    /// The request as the stored JSON column (the command's own field names, keys sorted).
    struct StoredRequest: Codable {
        var sections: [String]
        /// Absent in requests stored before section limits existed, and when no section has one.
        var sectionLimits: [String: Int]?
        var startDate: String
        var endDate: String
        var timeZone: String
        var botId: String?
        var channel: String?
        var includeCharts: Bool
        var templateId: String?
        var templateVersion: Int?
        var createdByKeyId: String
        var createdByKeyName: String
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }

    static func requestJSON(_ request: ReportJob.Request) throws -> String {
        try json(StoredRequest(sections: request.sections, sectionLimits: request.sectionLimits.isEmpty ? nil : request.sectionLimits,
                               startDate: request.startDate, endDate: request.endDate, timeZone: request.timeZone,
                               botId: request.botId, channel: request.channel, includeCharts: request.includeCharts, templateId: request.templateId,
                               templateVersion: request.templateVersion, createdByKeyId: request.createdByKeyId,
                               createdByKeyName: request.createdByKeyName))
    }

    static let columns = """
        id, user_id, type, format, title, request, state, created_at, started_at, completed_at, attempts, file_name, size_bytes, sha256, data_as_of, error, headline
        """

    static func job(_ row: Row) throws -> ReportJob {
        let id: String = row[0]
        let stored: StoredRequest
        do {
            stored = try JSONDecoder().decode(StoredRequest.self, from: Data((row[5] as String).utf8))
        } catch {
            throw SettingsError(.corrupt, "report '\(id)' has an unreadable request")
        }
        guard let state = ReportJob.State(rawValue: row[6]) else { throw SettingsError(.corrupt, "report '\(id)' has the unknown state '\(row[6] as String)'") }
        let request = ReportJob.Request(
            id: id, userId: row[1], type: row[2], format: row[3], title: row[4], sections: stored.sections, startDate: stored.startDate,
            endDate: stored.endDate, timeZone: stored.timeZone, botId: stored.botId, channel: stored.channel, includeCharts: stored.includeCharts,
            templateId: stored.templateId, templateVersion: stored.templateVersion, createdByKeyId: stored.createdByKeyId,
            createdByKeyName: stored.createdByKeyName, createdAtMillis: row[7], sectionLimits: stored.sectionLimits ?? [:])
        let asOf = try (row[14] as String?).map { text in
            do { return try JSONDecoder().decode(ReportJob.DataAsOf.self, from: Data(text.utf8)) } catch {
                throw SettingsError(.corrupt, "report '\(id)' has an unreadable data_as_of")
            }
        }
        var job = ReportJob(request: request, state: state, startedAtMillis: row[8], completedAtMillis: row[9], attempts: row[10], fileName: row[11],
                            sizeBytes: row[12], sha256: row[13], dataAsOf: asOf, error: row[15])
        if let text = row[16] as String? {
            do { job.headline = try JSONDecoder().decode([ReportJob.Figure].self, from: Data(text.utf8)) } catch {
                throw SettingsError(.corrupt, "report '\(id)' has unreadable key figures")
            }
        }
        return job
    }
}
