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

    struct ListItem: Encodable {
        var id, name, description, createdAt, updatedAt: String
    }

    struct ListBody: Encodable { var items: [ListItem] }

    @Sendable func list(_ request: Request, context: TallyRequestContext) async throws -> Response {
        JSONResponse.make(body: ListBody(items: ReportCatalog.all.map {
            ListItem(id: $0.id, name: $0.name, description: $0.description, createdAt: $0.createdAt, updatedAt: $0.updatedAt)
        }))
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
            return JSONResponse.make(body: try await (context.store ?? stores.current).reportAsync(report, tenant: tenant, window: window))
        } catch {
            context.logger.error("report failed", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: error.code.rawValue, "the store could not be read; try again")
        }
    }
}
