import Testing
import TallyDomain

/// The instant every decode is judged against: 2026-03-15T12:00:00Z, fixed so no test reads the clock.
private let now: Int64 = 1_773_576_000_000
private let hourMillis: Int64 = 3_600_000
private let dayMillis: Int64 = 86_400_000

/// Decodes a JSON text against the fixed `now`, so each test reads as "this text gives that result".
private func decode(_ json: String, nowMillis: Int64 = now) -> Result<Event, EventRejection> {
    EventDecoder().decode(Array(json.utf8), nowMillis: nowMillis)
}

/// The rejection code of a decode, or nil when it succeeded; keeps expectations one line long.
private func code(_ result: Result<Event, EventRejection>) -> EventRejection.Code? {
    if case .failure(let rejection) = result { return rejection.code }
    return nil
}

/// The decoded event, or nil on rejection; `#require` on it reports the rejection in the failure.
private func event(_ result: Result<Event, EventRejection>) -> Event? {
    if case .success(let event) = result { return event }
    return nil
}

/// One malformed input and the rejection code the event contract promises for it.
struct RejectionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var json: String
    var code: EventRejection.Code
    /// A word the rejection message must contain, so operators can tell which field was wrong.
    var mentions: String?

    var testDescription: String { name }
}

/// A valid conversation.created body with one field replaced (or removed when `value` is nil).
private func conversation(replacing field: String, with value: String?) -> String {
    var fields: [(String, String)] = [
        ("id", #""e1""#), ("type", #""conversation.created""#), ("userId", #""u1""#),
        ("occurredAt", #""2026-03-15T10:00:00Z""#), ("conversationId", #""c1""#),
    ]
    if let index = fields.firstIndex(where: { $0.0 == field }) {
        if let value { fields[index].1 = value } else { fields.remove(at: index) }
    } else if let value {
        fields.append((field, value))
    }
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

private let long128 = String(repeating: "a", count: 128)
private let long129 = String(repeating: "a", count: 129)

private let rejectionCases: [RejectionCase] = [
    .init(name: "empty value", json: "", code: .emptyValue),
    .init(name: "not JSON at all", json: "{not json", code: .invalidJSON),
    .init(name: "truncated JSON", json: #"{"id":"#, code: .invalidJSON),
    .init(name: "a JSON array", json: "[1,2,3]", code: .notAnObject),
    .init(name: "a JSON number", json: "42", code: .notAnObject),
    .init(name: "a JSON string", json: #""event""#, code: .notAnObject),
    .init(name: "a JSON boolean", json: "true", code: .notAnObject),
    .init(name: "missing id", json: conversation(replacing: "id", with: nil), code: .missingField, mentions: "id"),
    .init(name: "null id", json: conversation(replacing: "id", with: "null"), code: .missingField, mentions: "id"),
    .init(name: "missing type", json: conversation(replacing: "type", with: nil), code: .missingField, mentions: "type"),
    .init(name: "null type", json: conversation(replacing: "type", with: "null"), code: .missingField, mentions: "type"),
    .init(name: "missing userId", json: conversation(replacing: "userId", with: nil), code: .missingField, mentions: "userId"),
    .init(name: "null userId", json: conversation(replacing: "userId", with: "null"), code: .missingField, mentions: "userId"),
    .init(name: "missing occurredAt", json: conversation(replacing: "occurredAt", with: nil), code: .missingField, mentions: "occurredAt"),
    .init(name: "null occurredAt", json: conversation(replacing: "occurredAt", with: "null"), code: .missingField, mentions: "occurredAt"),
    .init(name: "missing conversationId on conversation.created", json: conversation(replacing: "conversationId", with: nil),
          code: .missingField, mentions: "conversationId"),
    .init(name: "missing conversationId on message.created",
          json: #"{"id":"e","type":"message.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","messageType":"user"}"#,
          code: .missingField, mentions: "conversationId"),
    .init(name: "missing messageType",
          json: #"{"id":"e","type":"message.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","conversationId":"c"}"#,
          code: .missingField, mentions: "messageType"),
    .init(name: "missing rating value",
          json: #"{"id":"e","type":"rating.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z"}"#,
          code: .missingField, mentions: "value"),
    .init(name: "null rating value",
          json: #"{"id":"e","type":"rating.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","value":null}"#,
          code: .missingField, mentions: "value"),
    .init(name: "id as a number", json: conversation(replacing: "id", with: "7"), code: .invalidField, mentions: "id"),
    .init(name: "userId as an object", json: conversation(replacing: "userId", with: "{}"), code: .invalidField, mentions: "userId"),
    .init(name: "empty id", json: conversation(replacing: "id", with: #""""#), code: .invalidField, mentions: "id"),
    .init(name: "id of 129 characters", json: conversation(replacing: "id", with: "\"\(long129)\""), code: .invalidField, mentions: "id"),
    .init(name: "userId of 129 characters", json: conversation(replacing: "userId", with: "\"\(long129)\""),
          code: .invalidField, mentions: "userId"),
    .init(name: "conversationId of 129 characters", json: conversation(replacing: "conversationId", with: "\"\(long129)\""),
          code: .invalidField, mentions: "conversationId"),
    .init(name: "empty contactId", json: conversation(replacing: "contactId", with: #""""#), code: .invalidField, mentions: "contactId"),
    // Control characters would let a userId pose as another tenant's slice key, or split a header.
    .init(name: "userId with a unit separator", json: conversation(replacing: "userId", with: #""t1\u001fbotId\u001fb1""#),
          code: .invalidField, mentions: "control characters"),
    .init(name: "botId with CR LF", json: conversation(replacing: "botId", with: #""b\r\nX: 1""#), code: .invalidField, mentions: "botId"),
    .init(name: "channel with DEL", json: conversation(replacing: "channel", with: #""web\u007f""#), code: .invalidField, mentions: "channel"),
    .init(name: "occurredAt without an offset", json: conversation(replacing: "occurredAt", with: #""2026-03-15T10:00:00""#),
          code: .invalidField, mentions: "occurredAt"),
    .init(name: "occurredAt as a date only", json: conversation(replacing: "occurredAt", with: #""2026-03-15""#),
          code: .invalidField, mentions: "occurredAt"),
    .init(name: "occurredAt on an impossible date", json: conversation(replacing: "occurredAt", with: #""2026-02-30T10:00:00Z""#),
          code: .invalidField, mentions: "occurredAt"),
    .init(name: "occurredAt as epoch millis", json: conversation(replacing: "occurredAt", with: "1773576000000"),
          code: .invalidField, mentions: "occurredAt"),
    .init(name: "rating value as a string",
          json: #"{"id":"e","type":"rating.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","value":"5"}"#,
          code: .invalidField, mentions: "value"),
    .init(name: "unknown messageType",
          json: #"{"id":"e","type":"message.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","conversationId":"c","messageType":"robot"}"#,
          code: .invalidField, mentions: "messageType"),
    .init(name: "unknown type", json: conversation(replacing: "type", with: #""conversation.deleted""#), code: .unknownType,
          mentions: "conversation.deleted"),
    .init(name: "rejects a rating of 0",
          json: #"{"id":"e","type":"rating.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","value":0}"#,
          code: .valueOutOfRange, mentions: "value"),
    .init(name: "rejects a rating of 101",
          json: #"{"id":"e","type":"rating.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","value":101}"#,
          code: .valueOutOfRange, mentions: "value"),
    .init(name: "rejects a rating of -101",
          json: #"{"id":"e","type":"rating.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","value":-101}"#,
          code: .valueOutOfRange, mentions: "value"),
    .init(name: "botId of 129 characters", json: conversation(replacing: "botId", with: "\"\(long129)\""), code: .invalidField, mentions: "botId"),
    .init(name: "empty channel", json: conversation(replacing: "channel", with: #""""#), code: .invalidField, mentions: "channel"),
    .init(name: "botId as a number", json: conversation(replacing: "botId", with: "3"), code: .invalidField, mentions: "botId"),
    .init(name: "tokens as a string",
          json: #"{"id":"e","type":"message.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","conversationId":"c","messageType":"bot","tokens":"12"}"#,
          code: .invalidField, mentions: "tokens"),
    .init(name: "fractional tokens",
          json: #"{"id":"e","type":"message.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","conversationId":"c","messageType":"bot","tokens":1.5}"#,
          code: .invalidField, mentions: "tokens"),
    .init(name: "negative tokens",
          json: #"{"id":"e","type":"message.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","conversationId":"c","messageType":"bot","tokens":-1}"#,
          code: .valueOutOfRange, mentions: "tokens"),
    .init(name: "more than 10 000 000 tokens",
          json: #"{"id":"e","type":"message.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","conversationId":"c","messageType":"bot","tokens":10000001}"#,
          code: .valueOutOfRange, mentions: "tokens"),
    .init(name: "more than 24 h in the future", json: conversation(replacing: "occurredAt", with: #""2026-03-16T12:00:00.001Z""#),
          code: .futureEvent, mentions: "occurredAt"),
    .init(name: "more than 400 days old", json: conversation(replacing: "occurredAt", with: #""2025-02-08T11:59:59.999Z""#),
          code: .beyondRetention, mentions: "occurredAt"),
]

@Suite("EventDecoder")
struct EventDecoderTests {
    @Test("decodes a conversation.created with every field")
    func conversationCreated() throws {
        let json = #"{"id":"e1","type":"conversation.created","userId":"u1","occurredAt":"2026-03-15T10:20:30.250Z","conversationId":"c1","contactId":"k1","botId":"b1","channel":"web"}"#
        let decoded = try #require(event(decode(json)))
        #expect(decoded == Event(id: "e1", kind: .conversationCreated, userId: "u1", occurredAtMillis: 1_773_570_030_250,
                                 conversationId: "c1", contactId: "k1", botId: "b1", channel: "web"))
        #expect(decoded.day == Day(year: 2026, month: 3, day: 15))
    }

    @Test("tokens on a message count from 0 to 10 000 000, botId and channel up to 128 characters, and tokens elsewhere are ignored")
    func tokensAndSliceFields() throws {
        for tokens in [0, 1, 10_000_000] {
            let json = #"{"id":"m","type":"message.created","userId":"u","occurredAt":"2026-03-15T00:00:00Z","conversationId":"c","messageType":"bot","tokens":\#(tokens),"botId":"\#(long128)","channel":"web"}"#
            let decoded = try #require(event(decode(json)))
            #expect(decoded.tokens == tokens && decoded.botId == long128 && decoded.channel == "web")
        }
        let rating = #"{"id":"r","type":"rating.created","userId":"u","occurredAt":"2026-03-15T00:00:00Z","value":-4,"tokens":5,"reason":"wrong answer","messageId":"m1","contactId":"k"}"#
        let decoded = try #require(event(decode(rating)))
        #expect(decoded.tokens == nil && decoded.reason == "wrong answer" && decoded.messageId == "m1" && decoded.contactId == "k")
        let encoded = Event(id: "m", kind: .messageCreated(.user), userId: "u", occurredAtMillis: now, conversationId: "c", tokens: 42)
        #expect(event(EventDecoder().decode(EventEncoder.json(encoded), nowMillis: now)) == encoded, "the encoder writes tokens")
    }

    @Test("decodes a message.created of every message type", arguments: MessageType.allCases)
    func messageCreated(type: MessageType) throws {
        let json = #"{"id":"m1","type":"message.created","userId":"u1","occurredAt":"2026-03-15T00:00:00Z","conversationId":"c1","messageType":"\#(type.rawValue)","messageId":"msg-9"}"#
        let decoded = try #require(event(decode(json)))
        #expect(decoded.kind == .messageCreated(type))
        #expect(decoded.conversationId == "c1")
        #expect(decoded.messageId == "msg-9")
        #expect(decoded.contactId == nil)
        #expect(decoded.day == Day(year: 2026, month: 3, day: 15))
    }

    @Test("decodes a rating.created with and without a conversationId", arguments: [42, -7, 100, -100, 1, -1])
    func ratingCreated(value: Int) throws {
        let with = #"{"id":"r1","type":"rating.created","userId":"u1","occurredAt":"2026-03-14T23:59:59.999Z","conversationId":"c1","value":\#(value),"reason":"helpful"}"#
        let rated = try #require(event(decode(with)))
        #expect(rated.kind == .ratingCreated(value: value))
        #expect(rated.conversationId == "c1")
        #expect(rated.reason == "helpful")
        #expect(rated.day == Day(year: 2026, month: 3, day: 14))

        let without = #"{"id":"r2","type":"rating.created","userId":"u1","occurredAt":"2026-03-15T10:00:00Z","value":\#(value)}"#
        let bare = try #require(event(decode(without)))
        #expect(bare.kind == .ratingCreated(value: value))
        #expect(bare.conversationId == nil)
    }

    @Test("a +05:30 offset moves the UTC day back across midnight")
    func positiveOffset() throws {
        let json = conversation(replacing: "occurredAt", with: #""2026-03-15T03:00:00+05:30""#)
        let decoded = try #require(event(decode(json)))
        #expect(decoded.occurredAtMillis == 1_773_523_800_000)
        #expect(decoded.day == Day(year: 2026, month: 3, day: 14))
    }

    @Test("a -08:00 offset moves the UTC day forward across midnight")
    func negativeOffset() throws {
        let json = conversation(replacing: "occurredAt", with: #""2026-03-14T20:00:00-08:00""#)
        let decoded = try #require(event(decode(json)))
        #expect(decoded.occurredAtMillis == 1_773_547_200_000)
        #expect(decoded.day == Day(year: 2026, month: 3, day: 15))
    }

    @Test("ignores unknown extra fields")
    func extraFields() throws {
        let json = #"{"schemaVersion":3,"id":"e1","type":"conversation.created","userId":"u1","extra":{"nested":[1,null,"x"]},"occurredAt":"2026-03-15T10:00:00Z","conversationId":"c1","flag":true}"#
        let decoded = try #require(event(decode(json)))
        #expect(decoded == Event(id: "e1", kind: .conversationCreated, userId: "u1", occurredAtMillis: now - 2 * hourMillis,
                                 conversationId: "c1"))
    }

    @Test("accepts identifiers of exactly 128 characters")
    func longestIdentifiers() throws {
        let json = #"{"id":"\#(long128)","type":"conversation.created","userId":"\#(long128)","occurredAt":"2026-03-15T10:00:00Z","conversationId":"\#(long128)","contactId":"\#(long128)"}"#
        let decoded = try #require(event(decode(json)))
        #expect(decoded.id.count == 128)
        #expect(decoded.contactId?.count == 128)
    }

    @Test("rejects malformed events with the contract's code", arguments: rejectionCases)
    func rejects(_ rejection: RejectionCase) throws {
        let result = decode(rejection.json)
        #expect(code(result) == rejection.code)
        if let word = rejection.mentions, case .failure(let failure) = result {
            #expect(failure.message.contains(word), "message: \(failure.message)")
        }
    }

    @Test("every code the decoder can produce is exercised")
    func everyCodeCovered() {
        let covered = Set(rejectionCases.map(\.code)).union([.tooLarge, .invalidUTF8])
        // `missing_key` concerns the Kafka message key, which the decoder never sees.
        #expect(covered == Set(EventRejection.Code.allCases).subtracting([.missingKey]))
    }

    /// A number beyond Double's range (1e400) fails Foundation's parse of the whole document, so it
    /// is reported as invalid_json; it is rejected either way.
    @Test("rejects a fractional rating value as invalid_field", arguments: ["1.5", "-0.5", "0.25"])
    func fractionalValue(value: String) {
        let json = #"{"id":"e","type":"rating.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","value":\#(value)}"#
        #expect(code(decode(json)) == .invalidField)
    }

    @Test("rejects a huge integral rating value as value_out_of_range", arguments: ["99999999999999999999", "-1e20", "1e2"])
    func hugeValue(value: String) {
        let json = #"{"id":"e","type":"rating.created","userId":"u","occurredAt":"2026-03-15T10:00:00Z","value":\#(value)}"#
        #expect(code(decode(json)) == .valueOutOfRange || value == "1e2")
        #expect(value != "1e2" || event(decode(json))?.kind == .ratingCreated(value: 100))
    }

    @Test("rejects a JSON null value as not_an_object")
    func nullValue() {
        #expect(code(decode("null")) != nil)
        #expect(code(decode("null")) == .notAnObject)
    }

    @Test("rejects a value over 256 KiB unread, but accepts one of exactly 256 KiB")
    func sizeLimit() throws {
        let body = Array(conversation(replacing: "id", with: #""big""#).utf8)
        let padded = body + Array(repeating: UInt8(ascii: " "), count: EventDecoder.maximumValueBytes - body.count)
        #expect(event(EventDecoder().decode(padded, nowMillis: now))?.id == "big")
        let tooBig = padded + [UInt8(ascii: " ")]
        #expect(code(EventDecoder().decode(tooBig, nowMillis: now)) == .tooLarge)
        // Even garbage that large is rejected for its size, before any parse.
        #expect(code(EventDecoder().decode(Array(repeating: 0xFF, count: 300_000), nowMillis: now)) == .tooLarge)
    }

    @Test("rejects bytes that are not UTF-8")
    func invalidUTF8() {
        let bytes: [UInt8] = Array(#"{"id":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(code(EventDecoder().decode(bytes, nowMillis: now)) == .invalidUTF8)
        #expect(code(EventDecoder().decode([0xFF, 0xFE, 0xFD], nowMillis: now)) == .invalidUTF8)
    }

    @Test("accepts an event exactly 24 h ahead and exactly 400 days old")
    func timeBoundaries() throws {
        let ahead = conversation(replacing: "occurredAt", with: #""2026-03-16T12:00:00Z""#)
        #expect(event(decode(ahead))?.occurredAtMillis == now + 24 * hourMillis)
        let old = conversation(replacing: "occurredAt", with: #""2025-02-08T12:00:00Z""#)
        #expect(event(decode(old))?.occurredAtMillis == now - 400 * dayMillis)
    }

    @Test("judges age against the given now, not the wall clock")
    func ageIsRelativeToNow() {
        let json = conversation(replacing: "occurredAt", with: #""2026-03-15T10:00:00Z""#)
        #expect(code(decode(json, nowMillis: now - 3 * dayMillis)) == .futureEvent)
        #expect(code(decode(json, nowMillis: now + 401 * dayMillis)) == .beyondRetention)
        #expect(code(decode(json, nowMillis: now)) == nil)
    }

    @Test("a shorter retention rejects sooner")
    func customRetention() {
        let json = conversation(replacing: "occurredAt", with: #""2026-03-01T12:00:00Z""#)
        #expect(code(EventDecoder(retentionDays: 7).decode(Array(json.utf8), nowMillis: now)) == .beyondRetention)
        #expect(code(EventDecoder(retentionDays: 14).decode(Array(json.utf8), nowMillis: now)) == nil)
    }
}
