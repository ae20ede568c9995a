import Hummingbird
import Logging

/// Turns every error into the API's JSON error body, so clients never see a bare status or an
/// HTML page, and a bug never leaks details: unexpected errors become a logged 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            return JSONResponse.make(status: error.status, body: APIError.ErrorBody(
                message: error.body ?? Self.message(for: error.status), code: Self.code(for: error.status)))
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return JSONResponse.make(status: .internalServerError,
                                     body: APIError.ErrorBody(message: "internal error", code: "internal_error"))
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .contentTooLarge: "payload_too_large"
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        default: "http_\(status.code)"
        }
    }

    static func message(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "no such endpoint"
        case .contentTooLarge: "request body is larger than 64 KiB"
        default: status.reasonPhrase
        }
    }
}
