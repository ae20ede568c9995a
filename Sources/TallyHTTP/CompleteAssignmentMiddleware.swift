import Hummingbird
import TallyDomain

/// The one guard in front of every rollup read: while this instance is not assigned every partition
/// of every topic it consumes, it answers 503 `partial_assignment` with `Retry-After` instead of
/// figures that may be partial.
///
/// Every route that reads rollups (report fetches, ChatBotKit's generate routes, single and batch,
/// and anything else that computes figures tomorrow) goes into the `rollupReads` group of
/// `TallyApplication.buildRouter`, which carries this middleware, rather than checking for itself.
/// Work that reads rollups outside a request, such as a scheduled run, calls
/// `requireCompleteAssignment` before it starts. Routes without figures (the catalog list, health,
/// dead letters) stay outside the group and keep answering.
///
/// Before the first assignment the instance answers: a single instance catching up after a restart
/// serves its committed state, as it always has. See `PartitionAssignment`.
struct CompleteAssignmentMiddleware: RouterMiddleware {
    typealias Context = TallyRequestContext
    let ingestStatus: @Sendable () -> IngestStatus?

    /// A consumer group settles within seconds of a member joining or leaving.
    static let retryAfterSeconds = 5

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try Self.requireCompleteAssignment(ingestStatus())
        return try await next(request, context)
    }

    /// Throws the 503 when `status` shows an assignment that is partial or not confirmed.
    static func requireCompleteAssignment(_ status: IngestStatus?) throws(APIError) {
        guard let assignment = status?.assignment, assignment.refusesReports else { return }
        throw APIError(.serviceUnavailable, code: "partial_assignment",
                       "\(assignment.refusalReason()); retry later",
                       headers: [.retryAfter: String(retryAfterSeconds)])
    }
}
