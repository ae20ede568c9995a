import Foundation
import Hummingbird
import TallyDomain

/// An API failure that renders itself as `{"message": "...", "code": "..."}` with a stable code.
///
/// Only the HTTP layer maps failures to status codes; every code here is part of the API contract.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra response headers, e.g. `Retry-After` on a 503 that will pass.
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(status: status, body: ErrorBody(message: message, code: code))
        response.headers.append(contentsOf: headers)
        return response
    }

    struct ErrorBody: Encodable {
        var message: String
        var code: String
    }

    static func badRequest(_ code: String, _ message: String) -> APIError { APIError(.badRequest, code: code, message) }
    static let missingKey = APIError(.unauthorized, code: "unauthorized", "missing API key: send 'Authorization: Bearer <key>'")
    static let unknownKey = APIError(.unauthorized, code: "unauthorized", "unknown or revoked API key")
}

/// Builds JSON responses without going through a request context's encoder, so that errors raised
/// before routing render the same way as route results.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// A fetch's report, written by `ReportResultJSON` rather than `JSONEncoder`.
    static func make(report: ReportResult) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: ReportResultJSON.encode(report))))
    }

    static func make(status: HTTPResponse.Status = .ok, body: some Encodable) -> Response {
        let data = (try? encoder.encode(body)) ?? Data(#"{"message":"response could not be encoded","code":"internal_error"}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
