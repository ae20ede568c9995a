import Foundation
import Hummingbird

/// How every POST route of the API reads its body: at most 64 KiB, one JSON object, and only the
/// properties the route knows. Refusing unknown properties is what keeps a typo such as
/// `periodDay` from answering as if the parameter had been left out.
enum JSONRequestBody {
    static let maximumBytes = 64 * 1024

    /// Collects the body, refusing one larger than `maximumBytes` with 413.
    static func collect(_ request: Request) async throws(APIError) -> [UInt8] {
        do {
            return Array(buffer: try await request.body.collect(upTo: maximumBytes))
        } catch {
            throw APIError(.contentTooLarge, code: "payload_too_large", "request body is larger than 64 KiB")
        }
    }

    /// The body's JSON object; an empty or all-whitespace body is an empty object.
    static func object(_ bytes: [UInt8]) throws(APIError) -> [String: JSONValue] {
        guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return [:] }
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw .badRequest("invalid_json", "request body is not valid JSON")
        }
        guard case .object(let fields) = json else { throw .badRequest("invalid_json", "request body must be a JSON object") }
        return fields
    }

    /// Throws 400 `invalid_parameter` naming the first property, in name order, that `allowed` lacks.
    /// - Parameter hint: said after the list of known properties when `property` is the unknown one.
    static func refuseUnknown(_ fields: [String: JSONValue], allowed: [String],
                              hint: (property: String, text: String)? = nil) throws(APIError) {
        guard let unknown = fields.keys.filter({ !allowed.contains($0) }).min() else { return }
        let known = allowed.isEmpty ? "this input takes no parameters" : "known parameters: \(allowed.joined(separator: ", "))"
        var message = "unknown parameter '\(unknown.prefix(64))'; \(known)"
        if let hint, hint.property == unknown { message += "; \(hint.text)" }
        throw .badRequest("invalid_parameter", message)
    }
}
