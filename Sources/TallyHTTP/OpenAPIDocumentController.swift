import Foundation
import Hummingbird
import Yams

/// `GET /openapi.json`: the OpenAPI 3.1 document that `schemas/openapi.yaml` is, as JSON, with no
/// key, for clients and generators. The YAML is compiled into the binary and converted once, on
/// the first request; the route test keeps the document and the router in step.
struct OpenAPIDocumentController {
    func addRoutes(to router: Router<TallyRequestContext>) {
        router.get("openapi.json") { _, _ in
            switch OpenAPIDocumentController.json {
            case .success(let bytes):
                return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
            case .failure(let error):
                throw APIError(.internalServerError, code: "openapi_unreadable", "the embedded OpenAPI document cannot be read: \(error)")
            }
        }
    }

    /// The document as JSON, keys sorted, converted once.
    static let json: Result<[UInt8], any Error> = Result {
        let text = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
        // Timestamps in examples stay strings, as JSON has no dates.
        guard let document = try Yams.load(yaml: text, Resolver.default.removing(.timestamp)) else { throw CocoaError(.fileReadCorruptFile) }
        return Array(try JSONSerialization.data(withJSONObject: jsonCompatible(document), options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// Yams' values as JSONSerialization takes them: keys as strings, integers and doubles as numbers.
    private static func jsonCompatible(_ value: Any) -> Any {
        switch value {
        case let dictionary as [AnyHashable: Any]:
            var object: [String: Any] = [:]
            for (key, item) in dictionary { object["\(key.base)"] = jsonCompatible(item) }
            return object
        case let array as [Any]: return array.map(jsonCompatible)
        case is NSNull: return NSNull()
        case let data as Data: return data.base64EncodedString()
        case let date as Date: return ISO8601DateFormatter().string(from: date)
        default: return value
        }
    }
}
