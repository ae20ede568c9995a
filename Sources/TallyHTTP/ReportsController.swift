import Foundation
import Hummingbird
import TallyDomain
import TallyStore

/// The report endpoints: the catalog and the fetch of one report from precomputed rollups.
struct ReportsController {
    let stores: StoreHolder
    /// Today in UTC; injectable so tests can pin the default `endDate`.
    let today: @Sendable () -> Day

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
        let page = try ReportListQuery.parse { query[$0[...]] }.page(of: ReportCatalog.all, id: \.id)
        return JSONResponse.make(body: ListBody(items: page.map { ReportListItem($0, schemas: .embedded) }))
    }

    @Sendable func fetch(_ request: Request, context: TallyRequestContext) async throws -> Response {
        guard let key = context.apiKey else { throw APIError.missingKey }
        let reportId = context.parameters.get("reportId") ?? ""
        guard let report = ReportCatalog.report(id: reportId) else {
            throw APIError(.notFound, code: "report_not_found", "no report with id '\(reportId.prefix(64))'")
        }
        let parameters = try FetchRequest.parse(try await JSONRequestBody.collect(request))
        let tenant = try TenantSelection.tenant(for: key, asked: parameters.userId,
                                                missing: "userId is required with a platform-wide key")
        let window = ReportWindow(periodDays: parameters.periodDays, end: parameters.endDate ?? today())
        do {
            let result = try await (context.store ?? stores.current).reportAsync(report, tenant: parameters.storageKey(tenant: tenant), window: window,
                                                                                 groupBy: parameters.groupBy)
            return JSONResponse.make(body: result)
        } catch {
            context.logger.error("report failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the store could not be read; try again")
        }
    }
}
