import Hummingbird
import TallyDomain
import TallySettings
import TallyStore

/// ChatBotKit's report routes, so that ChatBotKit's SDK works against Tally unchanged:
/// `POST /api/v1/platform/report/{reportId}/generate` and the batch
/// `POST /api/v1/platform/report/generate` (report id → input in, report id → output out).
///
/// They compute exactly what `/api/v1/report/{reportId}/fetch` computes and differ only in the
/// input they read (`ChatBotKitInput`) and the shape they answer in (`ChatBotKitOutput`).
/// ChatBotKit's inputs name no tenant for most reports: a tenant key reads its own tenant, and a
/// platform-wide key names one with `?userId=` in the query (Total Contacts' input names it with
/// `userId` itself).
struct ChatBotKitReportsController {
    let stores: StoreHolder
    /// Today in each tenant's zone, where every period ends; injectable so tests can pin it.
    let today: TenantToday

    /// A batch's members share one read of the store; the bound keeps that read short.
    static let maximumBatchSize = 50

    static let missingTenant = "userId is required with a platform-wide key: name the tenant with ?userId= in the query"

    /// - Parameter rollupReads: the routes behind `CompleteAssignmentMiddleware`; both routes read rollups.
    func addRoutes(to rollupReads: RouterGroup<TallyRequestContext>) {
        rollupReads.post("platform/report/generate", use: generateBatch)
        rollupReads.post("platform/report/:reportId/generate", use: generate)
    }

    /// One report to compute, once its input is checked and its tenant decided.
    struct Job: Sendable {
        enum Report: Sendable {
            /// A report of one figure, answered in its ChatBotKit shape.
            case figure(ReportDefinition, ChatBotKitShape)
            /// A per-bot report, answered as its document.
            case bot(BotReport, BotReportInput)
            /// A tenant-wide report, answered as its document.
            case tenant(TenantReport, TenantReportInput)
            /// The Conversation Usage Report, answered as its document.
            case conversationUsage(ConversationUsageInput)
        }

        var report: Report
        var tenant: String
        var window: ReportWindow

        /// The answer, computed over `rollups` (one snapshot for a whole batch).
        func answer(from rollups: any RollupReading) throws -> GeneratedOutput {
            switch report {
            case .figure(let definition, let shape):
                .figure(ChatBotKitOutput(try ReportCalculator().compute(definition, tenant: tenant, window: window, from: rollups), as: shape))
            case .bot(let report, let input):
                .document(try BotReportCalculator().compute(report, tenant: tenant, botId: input.botId, window: window, limit: input.limit, from: rollups))
            case .tenant(let report, let input):
                .tenantDocument(try TenantReportCalculator().compute(report, tenant: tenant, window: window, topBotsLimit: input.topBotsLimit,
                                                                     from: rollups))
            case .conversationUsage(let input):
                .conversationUsage(try ConversationUsageCalculator().compute(tenant: tenant, conversationIds: input.conversationIds, window: window,
                                                                             from: rollups))
            }
        }
    }

    @Sendable func generate(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        let id = context.parameters.decoded("reportId")
        try Self.checkKnown(id)
        let queryUserId = try Self.queryUserId(request, key: key)
        let fields = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        let store = context.store ?? stores.current
        let job = try plan(id, input: .object(fields), key: key, queryUserId: queryUserId, today: { today.day(for: store.clock(forTenant: $0)) })
        return JSONResponse.make(body: try await compute([job], context: context)[0])
    }

    /// Every member answers on its own: an unknown report id or a bad input puts an error in that
    /// member's place and the others are computed, from one snapshot of the store. Only a body that
    /// is not a JSON object, a batch over the bound, a bad query or an unreadable store fail the
    /// whole request.
    @Sendable func generateBatch(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        let queryUserId = try Self.queryUserId(request, key: key)
        let members = try JSONRequestBody.object(try await JSONRequestBody.collect(request))
        guard members.count <= Self.maximumBatchSize else {
            throw APIError.badRequest("invalid_parameter",
                                      "a batch may hold at most \(Self.maximumBatchSize) reports; this one holds \(members.count)")
        }
        let store = context.store ?? stores.current
        let today = self.today
        var answers: [String: BatchAnswer] = [:]
        var jobs: [(id: String, job: Job)] = []
        for (id, input) in members {
            do throws(APIError) {
                try Self.checkKnown(id)
                jobs.append((id, try plan(id, input: input, key: key, queryUserId: queryUserId, today: { today.day(for: store.clock(forTenant: $0)) })))
            } catch {
                answers[id] = .failure(error)
            }
        }
        let results = try await compute(jobs.map(\.job), context: context)
        for (member, result) in zip(jobs, results) {
            answers[member.id] = .output(result)
        }
        return JSONResponse.make(body: answers)
    }

    /// Refuses an id that is neither a report of one figure, a per-bot or tenant-wide report, nor
    /// Conversation Usage.
    static func checkKnown(_ id: String) throws(APIError) {
        guard ReportCatalog.report(id: id) != nil || BotReport(id: id) != nil || TenantReport(id: id) != nil
                || id == ConversationUsageReport.id else {
            throw APIError(.notFound, code: "report_not_found", "no report with id '\(id.prefix(64))'")
        }
    }

    /// The tenant `?userId=` names, checked against the key at once: a tenant key naming another
    /// tenant is refused for the whole request, as on `/fetch`.
    static func queryUserId(_ request: Request, key: ApiKey) throws(APIError) -> String? {
        guard let value = request.uri.queryParameters["userId"], !value.isEmpty else { return nil }
        guard Identifier.isValid(String(value)) else {
            throw .badRequest("invalid_parameter", "userId must be 1 to 128 characters without control characters")
        }
        return try TenantSelection.tenant(for: key, asked: String(value), missing: missingTenant)
    }

    /// - Parameter id: a known report id (`checkKnown`).
    /// - Parameter today: today for a tenant, in its zone.
    func plan(_ id: String, input: JSONValue, key: ApiKey, queryUserId: String?, today: (String) -> Day) throws(APIError) -> Job {
        guard case .object(let fields) = input else {
            throw .badRequest("invalid_parameter", "the input of report '\(id)' must be a JSON object")
        }
        if let bot = BotReport(id: id) {
            let parsed = try BotReportInput.parseGenerate(fields, report: bot)
            let tenant = try TenantSelection.tenant(for: key, asked: queryUserId, missing: Self.missingTenant)
            return Job(report: .bot(bot, parsed), tenant: tenant, window: ReportWindow(periodDays: parsed.periodDays, end: today(tenant)))
        }
        if let report = TenantReport(id: id) {
            let parsed = try TenantReportInput.parseGenerate(fields, report: report)
            let tenant = try TenantSelection.tenant(for: key, asked: queryUserId, missing: Self.missingTenant)
            return Job(report: .tenant(report, parsed), tenant: tenant, window: ReportWindow(periodDays: parsed.periodDays, end: today(tenant)))
        }
        if id == ConversationUsageReport.id {
            let parsed = try ConversationUsageInput.parseGenerate(fields)
            let tenant = try TenantSelection.tenant(for: key, asked: queryUserId, missing: Self.missingTenant)
            return Job(report: .conversationUsage(parsed), tenant: tenant, window: ReportWindow(periodDays: parsed.periodDays, end: today(tenant)))
        }
        guard let report = ReportCatalog.report(id: id) else { throw APIError(.notFound, code: "report_not_found", "no report with id '\(id.prefix(64))'") }
        let shape = ChatBotKitShape(report.metric)
        let parsed = try ChatBotKitInput.parse(fields, shape: shape)
        // A tenant key naming another tenant is refused (403) before the two names are compared.
        let tenant = try TenantSelection.tenant(for: key, asked: parsed.userId ?? queryUserId, missing: Self.missingTenant)
        if let named = parsed.userId, let queryUserId, named != queryUserId {
            throw .badRequest("invalid_parameter", "userId '\(named)' in the input and '\(queryUserId)' in the query name different tenants")
        }
        return Job(report: .figure(report, shape), tenant: tenant, window: shape.window(periodDays: parsed.periodDays, today: today(tenant)))
    }

    /// Computes every job over one snapshot of the store.
    private func compute(_ jobs: [Job], context: TallyRequestContext) async throws(APIError) -> [GeneratedOutput] {
        guard !jobs.isEmpty else { return [] }
        do {
            return try await (context.store ?? stores.current).withRollupsAsync { rollups in try jobs.map { try $0.answer(from: rollups) } }
        } catch {
            context.logger.error("report generation failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the store could not be read; try again")
        }
    }
}
