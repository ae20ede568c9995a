import Foundation
import Testing
@testable import TallyDomain

/// The hand-written scanner must agree with Foundation's JSON parser (the oracle) about what is
/// well-formed JSON, on thousands of randomly damaged events, and must read every field it keeps
/// exactly as Foundation does, escapes included.
@Suite("Event JSON scanner against Foundation")
struct EventJSONScannerTests {
    static let now: Int64 = 1_773_568_800_000  // 2026-03-15T10:00:00Z

    static let sample = Array(#"{"id":"e\u00e9\"1","type":"message.created","userId":"t\/1","occurredAt":"2026-03-15T09:00:00.5+01:00","conversationId":"c\ud83d\ude00","contactId":"k","messageType":"bot","extra":{"a":[1,2.5e3,true,false,null,{"b":"\n"}]},"value":null}"#.utf8)

    @Test("fields are read exactly as Foundation reads them, escapes and surrogate pairs included")
    func fieldsMatchFoundation() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Self.sample)) as? [String: Any])
        let event = try #require(try? EventDecoder().decode(Self.sample, nowMillis: Self.now).get())
        #expect(event.id == object["id"] as? String)
        #expect(event.userId == object["userId"] as? String)
        #expect(event.conversationId == object["conversationId"] as? String)
        #expect(event.kind == .messageCreated(.bot))
    }

    @Test("on damaged input, invalid JSON is reported exactly when Foundation rejects it")
    func damagedInputAgreesWithFoundation() {
        var random = SeededRandom(seed: 2024)
        let alphabet = Array(#"{}[]:,"\ 0123456789.eE+-tfnulrsa"#.utf8)
        var disagreements: [String] = []
        for _ in 0..<5_000 {
            var bytes = Self.sample
            for _ in 0..<random.int(in: 1...3) {
                let position = random.int(in: 0...(bytes.count - 1))
                switch random.int(in: 0...2) {
                case 0: bytes[position] = alphabet[random.int(in: 0...(alphabet.count - 1))]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[random.int(in: 0...(alphabet.count - 1))], at: position)
                }
            }
            let foundationAccepts = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
            let code: EventRejection.Code?
            switch EventDecoder().decode(bytes, nowMillis: Self.now) {
            case .success: code = nil
            case .failure(let rejection): code = rejection.code
            }
            if foundationAccepts == (code == .invalidJSON) {
                disagreements.append("\(String(decoding: bytes, as: UTF8.self)) → \(code.map(\.rawValue) ?? "accepted"), Foundation accepts: \(foundationAccepts)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, e.g. \(disagreements.prefix(2))")
    }

    @Test("deep nesting in an unknown field is refused, not followed")
    func deepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let json = Array(#"{"x":\#(deep),"id":"a"}"#.utf8)
        guard case .failure(let rejection) = EventDecoder().decode(json, nowMillis: Self.now) else {
            Issue.record("accepted a 10 000-deep value")
            return
        }
        #expect(rejection.code == .invalidJSON)
    }
}
