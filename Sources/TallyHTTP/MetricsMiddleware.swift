import Hummingbird
import TallyMetrics

/// Counts every answered request by method, route template and status, and times it.
///
/// It wraps the error middleware, so it sees the status the client got. The route is the matched
/// template (`/api/v1/report/{reportId}/fetch`), never the concrete path. Hummingbird runs router
/// middleware for matched routes only, so a request for a path no route has (a 404 from the
/// router itself) is not counted, and a scan of random paths cannot add series.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            metrics.request(method: method, route: context.endpointPath ?? "unmatched", status: response.status.code, duration: ContinuousClock.now - started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.request(method: method, route: context.endpointPath ?? "unmatched", status: status, duration: ContinuousClock.now - started)
            throw error
        }
    }
}
