import Foundation
import Hummingbird
import TallyDomain
import TallySettings
import TallyStore

/// The report endpoints: the catalog and the fetch of one report from precomputed rollups.
struct ReportsController {
    let stores: StoreHolder
    /// Where a tenant's desired time zone is, to say when its reports are not in it yet.
    let settings: SettingsStore
    /// Today in each tenant's zone; injectable so tests can pin the default `endDate`.
    let today: TenantToday

    /// - Parameters:
    ///   - group: routes that carry no figures (the catalog).
    ///   - rollupReads: routes that read rollups, behind `CompleteAssignmentMiddleware`.
    func addRoutes(to group: RouterGroup<TallyRequestContext>, rollupReads: RouterGroup<TallyRequestContext>) {
        group.get("platform/report/list", use: list)
        rollupReads.post("report/:reportId/fetch", use: fetch)
    }

    struct ListBody: Encodable { var items: [ReportListItem] }

    /// The catalog, paged as ChatBotKit's lists are (`take`, `cursor`, `order`; see `ReportListQuery`).
    @Sendable func list(_ request: Request, context: TallyRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let items = ReportCatalog.all.map { ReportListItem($0, schemas: .embedded) } + BotReport.allCases.map { ReportListItem($0, schemas: .embedded) }
            + TenantReport.allCases.map { ReportListItem($0, schemas: .embedded) } + [ReportListItem.conversationUsage]
        return JSONResponse.make(body: ListBody(items: try ReportListQuery.parse { query[$0[...]] }.page(of: items, id: \.id)))
    }

    @Sendable func fetch(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        let reportId = context.parameters.decoded("reportId")
        let report = ReportCatalog.report(id: reportId)
        let bot = BotReport(id: reportId)
        let tenantReport = TenantReport(id: reportId)
        let usage = reportId == ConversationUsageReport.id
        guard report != nil || bot != nil || tenantReport != nil || usage else {
            throw APIError(.notFound, code: "report_not_found", "no report with id '\(reportId.prefix(64))'")
        }
        let parameters = try FetchRequest.parse(try await JSONRequestBody.collect(request),
                                                extraProperties: usage ? [ConversationUsageReport.inputProperty]
                                                    : bot?.extraInputProperties ?? tenantReport?.extraInputProperties ?? [],
                                                defaultPeriodDays: usage ? ConversationUsageReport.defaultPeriodDays
                                                    : bot?.defaultPeriodDays ?? tenantReport?.defaultPeriodDays ?? ReportWindow.defaultPeriodDays)
        let tenant = try TenantSelection.tenant(for: key, asked: parameters.userId,
                                                missing: "userId is required with a platform-wide key")
        let store = context.store ?? stores.current
        let clock = store.clock(forTenant: tenant)
        let window = ReportWindow(periodDays: parameters.periodDays, end: parameters.endDate ?? today.day(for: clock))
        if let report {
            var result: ReportResult
            do {
                result = try await store.reportAsync(report, tenant: parameters.storageKey(tenant: tenant), window: window, groupBy: parameters.groupBy)
            } catch {
                throw Self.unreadable(error, context: context)
            }
            try await label(&result, tenant: tenant, clock: clock, context: context)
            return JSONResponse.make(report: result)
        }
        if usage {
            let input = try ConversationUsageInput.parseFetch(parameters)
            do {
                return JSONResponse.make(body: try await store.withRollupsAsync { rollups in
                    try ConversationUsageCalculator().compute(tenant: tenant, conversationIds: input.conversationIds, window: window, from: rollups)
                })
            } catch {
                throw Self.unreadable(error, context: context)
            }
        }
        // A tenant-wide or per-bot report answers its document, the same one ChatBotKit's route answers.
        if let tenantReport {
            let input = try TenantReportInput.parseFetch(parameters, report: tenantReport)
            do {
                return JSONResponse.make(body: try await store.withRollupsAsync { rollups in
                    try TenantReportCalculator().compute(tenantReport, tenant: tenant, window: window, topBotsLimit: input.topBotsLimit, from: rollups)
                })
            } catch {
                throw Self.unreadable(error, context: context)
            }
        }
        guard let bot else { throw APIError(.notFound, code: "report_not_found", "no report with id '\(reportId.prefix(64))'") }
        let input = try BotReportInput.parseFetch(parameters)
        do {
            return JSONResponse.make(body: try await store.withRollupsAsync { rollups in
                try BotReportCalculator().compute(bot, tenant: tenant, botId: input.botId, window: window, limit: input.limit, from: rollups)
            })
        } catch {
            throw Self.unreadable(error, context: context)
        }
    }

    /// Names the zone of the answer's days when it is not UTC, and the zone the tenant asked for
    /// while its re-bucketing has not switched in yet (the days are still the old zone's).
    private func label(_ result: inout ReportResult, tenant: String, clock: LocalClock, context: TallyRequestContext) async throws(APIError) {
        let desired: String
        do throws(SettingsError) { desired = try await settings.tenantTimeZone(userId: tenant)?.timeZone ?? "UTC" } catch {
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the settings store could not be read; try again")
        }
        if !clock.isUTC || desired != clock.identifier { result.timeZone = clock.identifier }
        if desired != clock.identifier { result.pendingTimeZone = desired }
    }

    private static func unreadable(_ error: StoreError, context: TallyRequestContext) -> APIError {
        context.logger.error("report failed", metadata: ["error": "\(error)"])
        return APIError(.serviceUnavailable, code: error.code.rawValue, "the store could not be read; try again")
    }
}
