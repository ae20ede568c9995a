import Foundation
import Hummingbird
import TallyDelivery
import TallyDomain
import TallyReportJobs
import TallyReports
import TallySettings
import TallyStore

/// `/api/v1/reports/schedule`: report schedules mailed by the scheduler, their run history, a
/// run outside the cron, and a preview of a cron expression's fire instants. Every route needs
/// report_admin or admin; a tenant key sees only its tenant's schedules (another's answer 404).
struct ReportSchedulesController {
    let stores: StoreHolder
    let settings: SettingsStore
    let scheduler: ReportScheduler
    let runner: ReportJobRunner
    let nowMillis: @Sendable () -> Int64

    /// - Parameter rollupReads: a run now goes behind `CompleteAssignmentMiddleware`, as generate does.
    func addRoutes(to group: RouterGroup<TallyRequestContext>, rollupReads: RouterGroup<TallyRequestContext>) {
        group.post("reports/schedule/preview", use: preview)
        group.post("reports/schedule", use: create)
        group.get("reports/schedule", use: list)
        group.get("reports/schedule/:scheduleId", use: get)
        group.put("reports/schedule/:scheduleId", use: replace)
        group.delete("reports/schedule/:scheduleId", use: delete)
        group.get("reports/schedule/:scheduleId/runs", use: runs)
        rollupReads.post("reports/schedule/:scheduleId/run", use: runNow)
    }

    struct ListBody<Item: Encodable>: Encodable {
        var items: [Item]
        var total: Int
        var limit: Int
        var offset: Int
    }

    struct PreviewBody: Encodable {
        var cron: String
        var timezone: String
        var fires: [SchedulePreview.Fire]
    }

    @Sendable func preview(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let key = try Self.administrator(context)
        let fields = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        try JSONRequestBody.refuseUnknown(fields, allowed: ["cron", "timezone", "from", "count"])
        guard case .string(let cron)? = fields["cron"] else { throw APIError.badRequest("invalid_cron", "cron is required: five fields, e.g. \"0 8 * * 1\"") }
        let zone: String
        switch fields["timezone"] {
        case nil, .null?: zone = (context.store ?? stores.current).clock(forTenant: key.userId ?? "").identifier
        case .string(let name)?: zone = name
        default: throw APIError.badRequest("invalid_timezone", "timezone must be an IANA time zone name such as America/New_York")
        }
        var from: String?
        switch fields["from"] {
        case nil, .null?: break
        case .string(let text)?: from = text
        default: throw APIError.badRequest("invalid_parameter", "from must be an RFC 3339 date-time with an offset")
        }
        var count: Int?
        switch fields["count"] {
        case nil, .null?: break
        case .integer(let n)? where n >= Int64(Int32.min) && n <= Int64(Int32.max): count = Int(n)
        default: throw APIError.badRequest("invalid_parameter", "count must be an integer from 1 to \(SchedulePreview.maximumCount)")
        }
        do {
            let preview = try SchedulePreview(cron: cron, timezone: zone, from: from, count: count, now: nowMillis())
            return JSONResponse.make(body: PreviewBody(cron: cron, timezone: zone, fires: preview.fires))
        } catch {
            throw APIError.badRequest(error.code, error.message)
        }
    }

    @Sendable func create(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let key = try Self.administrator(context)
        guard scheduler.configuration.smtp != nil else {
            throw APIError(.conflict, code: "smtp_not_configured",
                           "this server has no mail server to deliver schedules with; start it with --smtp-url and --smtp-from")
        }
        let fields = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        let now = nowMillis()
        let schedule = try await Self.schedule(from: fields, id: "sch_" + KeySecrets.randomHex(bytes: 8), key: key, version: 1,
                                               createdAt: now, activeSince: now, context: context, settings: settings, stores: stores)
        try await Self.call { try settings.apply(.createReportSchedule(schedule), auditing: .scheduleCreate, target: schedule.id, userId: schedule.userId, context: context) }
        return JSONResponse.make(status: .created, body: ReportScheduleView(schedule: schedule, nextRunAtMillis: scheduler.nextFire(of: schedule)))
    }

    @Sendable func list(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let key = try Self.administrator(context)
        let (limit, offset) = try Self.page(request)
        let (items, total) = try await Self.call { try await settings.reportSchedules(userId: key.userId, limit: limit, offset: offset) }
        let last = try await Self.call { try await settings.lastScheduleRuns(items.map(\.id)) }
        let views = items.map { ReportScheduleView(schedule: $0, nextRunAtMillis: scheduler.nextFire(of: $0), lastRun: last[$0.id]) }
        return JSONResponse.make(body: ListBody(items: views, total: total, limit: limit, offset: offset))
    }

    @Sendable func get(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let key = try Self.administrator(context)
        let schedule = try await visible(context.parameters.decoded("scheduleId"), key: key)
        let last = try await Self.call { try await settings.lastScheduleRuns([schedule.id]) }
        return JSONResponse.make(body: ReportScheduleView(schedule: schedule, nextRunAtMillis: scheduler.nextFire(of: schedule), lastRun: last[schedule.id]))
    }

    @Sendable func replace(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let key = try Self.administrator(context)
        let stored = try await visible(context.parameters.decoded("scheduleId"), key: key)
        let fields = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        let now = nowMillis()
        var schedule = try await Self.schedule(from: fields, id: stored.id, key: key, version: stored.version + 1, createdAt: stored.createdAtMillis,
                                               activeSince: stored.activeSinceMillis, context: context, settings: settings, stores: stores)
        schedule.createdByKeyId = stored.createdByKeyId
        schedule.createdByKeyName = stored.createdByKeyName
        schedule.updatedAtMillis = now
        // A new clock or a schedule enabled again fires from now on: nothing before counts as missed.
        if schedule.cron != stored.cron || schedule.timeZone != stored.timeZone || (schedule.enabled && !stored.enabled) {
            schedule.activeSinceMillis = now
        }
        try await Self.call { try settings.apply(.updateReportSchedule(schedule), auditing: .scheduleUpdate, target: schedule.id, userId: schedule.userId, context: context) }
        let last = try await Self.call { try await settings.lastScheduleRuns([schedule.id]) }
        return JSONResponse.make(body: ReportScheduleView(schedule: schedule, nextRunAtMillis: scheduler.nextFire(of: schedule), lastRun: last[schedule.id]))
    }

    @Sendable func delete(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let key = try Self.administrator(context)
        let stored = try await visible(context.parameters.decoded("scheduleId"), key: key)
        try await Self.call {
            try settings.apply(.deleteReportSchedule(id: stored.id, deletedAtMillis: nowMillis()), auditing: .scheduleDelete, target: stored.id,
                               userId: stored.userId, context: context)
        }
        return Response(status: .noContent)
    }

    @Sendable func runs(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let key = try Self.administrator(context)
        let schedule = try await visible(context.parameters.decoded("scheduleId"), key: key)
        let (limit, offset) = try Self.page(request)
        let (items, total) = try await Self.call { try await settings.scheduleRuns(scheduleId: schedule.id, limit: limit, offset: offset) }
        let clock = LocalClock(timeZoneIdentifier: schedule.timeZone) ?? .utc
        return JSONResponse.make(body: ListBody(items: items.map { ScheduleRunView(run: $0, clock: clock) }, total: total, limit: limit, offset: offset))
    }

    @Sendable func runNow(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let key = try Self.administrator(context)
        let schedule = try await visible(context.parameters.decoded("scheduleId"), key: key)
        guard scheduler.configuration.smtp != nil else {
            throw APIError(.conflict, code: "smtp_not_configured", "this server has no mail server (--smtp-url) to deliver the run with")
        }
        // The run's report goes through the same queue as a generate, under the same bound.
        try await Self.call { try await ReportJobsController.requireQueueRoom(settings: settings, runner: runner) }
        let audit = context.audit?.entry(.scheduleRunNow, target: schedule.id, userId: schedule.userId)
        let record = try await Self.call { try await scheduler.runNow(schedule, audit: audit) }
        let run = ScheduleRun(scheduleId: record.scheduleId, scheduledAtMillis: record.scheduledAtMillis, trigger: record.trigger, state: record.state,
                              reportId: record.reportId, createdAtMillis: record.atMillis,
                              deliveries: record.recipients.map { ScheduleDelivery(recipient: $0, state: .pending, updatedAtMillis: record.atMillis) })
        let clock = LocalClock(timeZoneIdentifier: schedule.timeZone) ?? .utc
        return JSONResponse.make(status: .accepted, body: ScheduleRunView(run: run, clock: clock))
    }

    /// The schedule `id` when `key` may see it; 404 for another tenant's, as for one that does not exist.
    private func visible(_ id: String, key: ApiKey) async throws -> ReportSchedule {
        guard Identifier.isValid(id), let schedule = try await Self.call({ try await settings.reportSchedule(id: id) }),
              key.userId == nil || schedule.userId == key.userId else {
            throw APIError(.notFound, code: "schedule_not_found", "no schedule with id '\(id.prefix(64))'")
        }
        return schedule
    }

    /// A schedule record from a validated body.
    private static func schedule(from fields: [String: JSONValue], id: String, key: ApiKey, version: Int, createdAt: Int64, activeSince: Int64,
                                 context: TallyRequestContext, settings: SettingsStore, stores: StoreHolder) async throws -> ReportSchedule {
        try JSONRequestBody.refuseUnknown(fields, allowed: ReportScheduleInput.allowedProperties)
        let template = try await ReportTemplatesController.resolve(fields["template_id"], settings: settings)
        let input = try ReportScheduleInput.parse(fields, template: template)
        if input.report.type.needsAdministrativeRole { try ReportPermission.require(.administer, of: key, to: "a compliance report") }
        let tenant = try TenantSelection.tenant(for: key, asked: input.report.userId, missing: "user_id is required with a platform-wide key")
        if let owner = template?.userId, owner != tenant {
            throw APIError(.badRequest, code: "template_not_found", "no template with id '\(template?.id ?? "")'")
        }
        let zone = input.timeZone ?? (context.store ?? stores.current).clock(forTenant: tenant).identifier
        let report = input.report
        return ReportSchedule(
            id: id, userId: tenant, title: report.title, type: report.type.rawValue, format: report.format.rawValue,
            sections: report.sections.map(\.rawValue), sectionLimits: Dictionary(uniqueKeysWithValues: report.sectionLimits.map { ($0.key.rawValue, $0.value) }),
            templateId: report.templateId, templateVersion: report.templateVersion, includeCharts: report.includeCharts,
            botId: report.slice?.dimension == .botId ? report.slice?.value : nil, channel: report.slice?.dimension == .channel ? report.slice?.value : nil,
            cron: input.cron, timeZone: zone, recipients: input.recipients, enabled: input.enabled, period: input.period.name,
            periodDays: input.period.dayCount, version: version, createdAtMillis: createdAt, createdByKeyId: key.id, createdByKeyName: key.name,
            activeSinceMillis: activeSince, updatedAtMillis: createdAt)
    }

    private static func administrator(_ context: TallyRequestContext) throws -> ApiKey {
        guard let key = context.apiKey else { throw APIError.missingKey }
        try ReportPermission.require(.administer, of: key, to: "managing report schedules")
        return key
    }

    /// `limit` (1 to 100, default 20) and `offset`; any other parameter is refused.
    private static func page(_ request: Request) throws(APIError) -> (limit: Int, offset: Int) {
        let query = request.uri.queryParameters
        if let unknown = query.map({ String($0.key) }).filter({ $0 != "limit" && $0 != "offset" }).min() {
            throw .badRequest("invalid_parameter", "unknown parameter '\(unknown.prefix(64))'; known parameters: limit, offset")
        }
        var limit = 20, offset = 0
        if let text = query["limit"].map(String.init), !text.isEmpty {
            guard let n = Int(text), (1...100).contains(n) else { throw .badRequest("invalid_parameter", "limit must be an integer from 1 to 100") }
            limit = n
        }
        if let text = query["offset"].map(String.init), !text.isEmpty {
            guard let n = Int(text), n >= 0 else { throw .badRequest("invalid_parameter", "offset must be a non-negative integer") }
            offset = n
        }
        return (limit, offset)
    }

    /// Runs a settings store call; a missing schedule is the route's 404, any other failure a
    /// 503 with the store's code.
    private static func call<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as SettingsError {
            switch error.code {
            case .scheduleNotFound: throw APIError(.notFound, code: "schedule_not_found", error.message)
            case .scheduleConflict: throw APIError(.conflict, code: "schedule_conflict", error.message)
            case .scheduleRunExists: throw APIError(.conflict, code: "schedule_run_exists", error.message)
            case .templateNotFound: throw APIError(.badRequest, code: "template_not_found", error.message)
            default: throw APIError(.serviceUnavailable, code: error.code.rawValue, "the settings store could not be used: \(error.message)")
            }
        }
    }
}
