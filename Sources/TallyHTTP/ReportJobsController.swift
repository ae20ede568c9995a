import Foundation
import Hummingbird
import TallyDomain
import TallyReportJobs
import TallyReports
import TallySettings
import TallyStore

/// The Reports API under `/api/v1/reports`: generate (a durable job), status, metadata, list,
/// download and delete, plus the built-in templates.
///
/// Every route needs a key; what it may do follows `ReportPermission`. A tenant key sees only its
/// tenant's reports: another tenant's report answers 404, so that its existence does not leak.
struct ReportJobsController {
    let stores: StoreHolder
    let settings: SettingsStore
    let runner: ReportJobRunner
    let today: TenantToday
    let nowMillis: @Sendable () -> Int64

    /// - Parameter rollupReads: generate goes behind `CompleteAssignmentMiddleware`, so that no
    ///   job is accepted while the figures may be partial.
    func addRoutes(to group: RouterGroup<TallyRequestContext>, rollupReads: RouterGroup<TallyRequestContext>) {
        rollupReads.post("reports/generate", use: generate)
        group.get("reports", use: list)
        group.get("reports/:reportId", use: metadata)
        group.get("reports/:reportId/status", use: status)
        group.get("reports/:reportId/download", use: download)
        group.delete("reports/:reportId", use: delete)
    }

    @Sendable func generate(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.create, of: key, to: "generating a report")
        let fields = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        try JSONRequestBody.refuseUnknown(fields, allowed: GenerateReportInput.allowedProperties)
        let template = try await ReportTemplatesController.resolve(fields["template_id"], settings: settings)
        let input = try GenerateReportInput.parse(fields, template: template)
        if input.type.needsAdministrativeRole { try ReportPermission.require(.administer, of: key, to: "a compliance report") }
        let tenant = try TenantSelection.tenant(for: key, asked: input.userId, missing: "user_id is required with a platform-wide key")
        if let owner = template?.userId, owner != tenant {
            throw APIError(.badRequest, code: "template_not_found", "no template with id '\(template?.id ?? "")'")
        }
        try await settingsCall { try await Self.requireQueueRoom(settings: settings, runner: runner) }
        let store = context.store ?? stores.current
        let clock = store.clock(forTenant: tenant)
        let (start, end): (Day, Day)
        switch input.period {
        case let .dates(first, last): (start, end) = (first, last)
        case .lastDays(let days):
            end = today.day(for: clock)
            start = end.advanced(by: -(days - 1))
        }
        let id = "rpt_" + KeySecrets.randomHex(bytes: 8)
        let job = ReportJob.Request(
            id: id, userId: tenant, type: input.type.rawValue, format: input.format.rawValue, title: input.title,
            sections: input.sections.map(\.rawValue), startDate: start.iso, endDate: end.iso, timeZone: clock.identifier,
            botId: input.slice?.dimension == .botId ? input.slice?.value : nil,
            channel: input.slice?.dimension == .channel ? input.slice?.value : nil,
            includeCharts: input.includeCharts, templateId: input.templateId, templateVersion: input.templateVersion,
            createdByKeyId: key.id, createdByKeyName: key.name, createdAtMillis: nowMillis(),
            sectionLimits: Dictionary(uniqueKeysWithValues: input.sectionLimits.map { ($0.key.rawValue, $0.value) }))
        try await settingsCall { try settings.apply(.createReportJob(job), auditing: .reportGenerate, target: id, userId: tenant, context: context) }
        runner.enqueue(id)
        let answer = GenerateAnswer(reportId: id, statusURL: ReportJobView.url(id) + "/status")
        return JSONResponse.make(status: .accepted, body: answer)
    }

    @Sendable func status(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let job = try await visibleJob(context)
        return JSONResponse.make(body: ReportStatusView(job, progress: runner.progress(of: job.id)))
    }

    @Sendable func metadata(_ request: Request, context: TallyRequestContext) async throws -> Response {
        JSONResponse.make(body: ReportJobView(job: try await visibleJob(context)))
    }

    struct ListBody: Encodable {
        var items: [ReportJobView]
        var total: Int
        var limit: Int
        var offset: Int
    }

    @Sendable func list(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.view, of: key, to: "listing reports")
        let query = request.uri.queryParameters
        var names: [String] = []
        for (name, _) in query { names.append(String(name)) }
        var selection = try ReportListParameters.parse(names: names) { query[$0[...]].map(String.init) }
        if let own = key.userId {
            if let asked = selection.userId, asked != own {
                throw APIError(.forbidden, code: "forbidden_tenant", "this key may only read user_id '\(own)'")
            }
            selection.userId = own
        }
        let page = try await settingsCall { try await settings.reportJobs(selection) }
        return JSONResponse.make(body: ListBody(items: page.items.map { ReportJobView(job: $0) }, total: page.total, limit: selection.limit,
                                                offset: selection.offset))
    }

    @Sendable func download(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let job = try await visibleJob(context)
        guard job.state == .completed, let fileName = job.fileName, let sha256 = job.sha256 else {
            throw APIError(.conflict, code: "report_not_ready", "report '\(job.id)' is \(job.state.rawValue); download it once its state is completed")
        }
        let etag = "\"\(sha256)\""
        if let match = request.headers[.ifNoneMatch], ETagMatch.matches(match, etag: etag) {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        guard let bytes = runner.files.read(fileName) else {
            throw APIError(.internalServerError, code: "report_file_missing", "the file of report '\(job.id)' is missing from the reports folder")
        }
        guard let format = ReportFormat(rawValue: job.request.format) else {
            throw APIError(.internalServerError, code: "report_file_missing", "report '\(job.id)' has an unknown format")
        }
        let name = ReportFileName.name(title: job.request.title, fallback: job.request.type, startDate: job.request.startDate,
                                       endDate: job.request.endDate, format: format)
        // Every download that sends the file is on the audit log (a 304 sends nothing).
        if let audit = context.audit {
            try await settingsCall { try await AuditRecorder(settings: settings).record(.reportDownload, target: job.id, userId: job.request.userId, context: audit) }
        }
        return Response(status: .ok, headers: [
            .contentType: format.contentType, .contentDisposition: "attachment; filename=\"\(name)\"", .contentLength: String(bytes.count),
            .eTag: etag, .cacheControl: "private, no-cache",
        ], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    @Sendable func delete(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.administer, of: key, to: "deleting a report")
        let job = try await visibleJob(context)
        try await settingsCall {
            try settings.apply(.deleteReportJob(id: job.id, deletedAtMillis: nowMillis()), auditing: .reportDelete, target: job.id,
                               userId: job.request.userId, context: context)
        }
        // The metadata is gone first, so no one is sent to a file that is being removed.
        if let fileName = job.fileName { runner.files.remove(fileName) }
        return Response(status: .noContent)
    }

    /// The job the path names, when this key may see it; 404 for an unknown id and for another
    /// tenant's report alike.
    private func visibleJob(_ context: TallyRequestContext) async throws -> ReportJob {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.view, of: key, to: "reading reports")
        let id = context.parameters.decoded("reportId")
        guard Identifier.isValid(id), let job = try await settingsCall({ try await settings.reportJob(id: id) }),
              key.userId == nil || key.userId == job.request.userId else {
            throw Self.notFound(id)
        }
        return job
    }

    /// 429 `queue_full` when `--report-queue` jobs wait already: a generate and a schedule's run
    /// now share the queue and its bound.
    static func requireQueueRoom(settings: SettingsStore, runner: ReportJobRunner) async throws {
        let pending = try await settings.pendingReportJobCount()
        guard pending < runner.configuration.queueLimit else {
            throw APIError(.tooManyRequests, code: "queue_full",
                           "\(pending) reports are waiting, the most this server queues (--report-queue); try again later",
                           headers: [.retryAfter: "30"])
        }
    }

    static func notFound(_ id: String) -> APIError {
        APIError(.notFound, code: "report_not_found", "no report with id '\(id.prefix(64))'")
    }

    /// Runs a settings store call; its failure is a 503 with the store's code, except a report
    /// that is not there (deleted meanwhile), which is the route's 404.
    private func settingsCall<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as SettingsError {
            if error.code == .reportNotFound { throw APIError(.notFound, code: "report_not_found", error.message) }
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the settings store could not be used: \(error.message)")
        }
    }

}

/// `If-None-Match` against one strong ETag: `*`, or a comma-separated list holding it (weak
/// comparison, as RFC 9110 asks for this header).
enum ETagMatch {
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == etag
        }
    }
}
