#if canImport(Glibc)
import Glibc
#endif

/// Turns a Kafka message value into a validated `Event`, or says precisely why it cannot.
///
/// Decoding never throws anything but `EventRejection`, so one bad message can never stop ingest:
/// the caller stores the rejection as a dead letter and moves on to the next offset.
public struct EventDecoder: Sendable {
    /// Values larger than this are rejected unread (1 MiB poison pills must not cost a full parse).
    public static let maximumValueBytes = 256 * 1024
    /// How far in the future an event may claim to be (clock skew), in milliseconds.
    public var maximumFutureSkewMillis: Int64 = 24 * 3_600_000
    /// How far back late events are still counted, in days.
    public var retentionDays: Int = 400
    /// The most tokens one message may carry.
    public static let maximumTokens = 10_000_000

    public init(retentionDays: Int = 400) {
        self.retentionDays = retentionDays
    }

    /// Decodes and validates one message value, judging its age against `nowMillis`.
    ///
    /// Ingest passes the Kafka record's timestamp, not its own clock: the future-event and
    /// retention rules then depend only on the record, so a rebuild that replays a topic months
    /// later accepts and rejects exactly what the live server did.
    public func decode(_ bytes: [UInt8], nowMillis: Int64) -> Result<Event, EventRejection> {
        guard !bytes.isEmpty else { return .failure(.init(.emptyValue, "the message value is empty")) }
        guard bytes.count <= Self.maximumValueBytes else {
            return .failure(.init(.tooLarge, "the message value is \(bytes.count) bytes; at most \(Self.maximumValueBytes) are accepted"))
        }
        guard Self.isValidUTF8(bytes) else {
            return .failure(.init(.invalidUTF8, "the message value is not valid UTF-8"))
        }
        let wire: WireEvent
        do {
            wire = try EventJSONScanner.scan(bytes)
        } catch {
            return .failure(error)
        }
        return validate(wire, nowMillis: nowMillis)
    }

    func validate(_ wire: WireEvent, nowMillis: Int64) -> Result<Event, EventRejection> {
        do {
            let id = try Self.identifier(wire.id, "id")
            let userId = try Self.identifier(wire.userId, "userId")
            guard let typeName = wire.type else { throw EventRejection(.missingField, "field 'type' is required") }
            guard let type = EventType(rawValue: typeName) else {
                throw EventRejection(.unknownType, "type '\(typeName.prefix(64))' is not one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let occurredAt = wire.occurredAt else { throw EventRejection(.missingField, "field 'occurredAt' is required") }
            guard let millis = RFC3339.epochMilliseconds(occurredAt) else {
                throw EventRejection(.invalidField, "field 'occurredAt' must be an RFC 3339 date-time with an offset")
            }
            if millis - nowMillis > maximumFutureSkewMillis {
                throw EventRejection(.futureEvent, "field 'occurredAt' is more than 24 h in the future")
            }
            if nowMillis - millis > Int64(retentionDays) * 86_400_000 {
                throw EventRejection(.beyondRetention, "field 'occurredAt' is older than the \(retentionDays)-day retention")
            }
            let kind: Event.Kind
            switch type {
            case .conversationCreated:
                kind = .conversationCreated
            case .messageCreated:
                guard let raw = wire.messageType else { throw EventRejection(.missingField, "field 'messageType' is required on message.created") }
                guard let messageType = MessageType(rawValue: raw) else {
                    throw EventRejection(.invalidField, "field 'messageType' must be one of \(MessageType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                kind = .messageCreated(messageType)
                if let tokens = wire.tokens {
                    guard tokens.rounded() == tokens, tokens.isFinite else {
                        throw EventRejection(.invalidField, "field 'tokens' must be an integer")
                    }
                    guard tokens >= 0, tokens <= Double(Self.maximumTokens) else {
                        throw EventRejection(.valueOutOfRange, "field 'tokens' must be in 0...\(Self.maximumTokens)")
                    }
                }
            case .ratingCreated:
                guard let number = wire.value else { throw EventRejection(.missingField, "field 'value' is required on rating.created") }
                guard number.rounded() == number, number.isFinite else {
                    throw EventRejection(.invalidField, "field 'value' must be an integer")
                }
                guard (-100...100).contains(number), number != 0 else {
                    throw EventRejection(.valueOutOfRange, "field 'value' must be in -100...100 and not 0")
                }
                kind = .ratingCreated(value: Int(number))
            }
            let conversationId = try Self.optionalIdentifier(wire.conversationId, "conversationId")
            if conversationId == nil, type != .ratingCreated {
                throw EventRejection(.missingField, "field 'conversationId' is required on \(type.rawValue)")
            }
            return .success(Event(
                id: id, kind: kind, userId: userId, occurredAtMillis: millis, conversationId: conversationId,
                contactId: try Self.optionalIdentifier(wire.contactId, "contactId"),
                botId: try Self.optionalIdentifier(wire.botId, "botId"), channel: try Self.optionalIdentifier(wire.channel, "channel"),
                messageId: wire.messageId, reason: wire.reason,
                tokens: type == .messageCreated ? wire.tokens.map { Int($0) } : nil
            ))
        } catch let rejection as EventRejection {
            return .failure(rejection)
        } catch {
            return .failure(.init(.invalidJSON, "the message value could not be read"))
        }
    }

    /// UTF-8 validity, with a fast path for the common all-ASCII message.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        let ascii = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var combined: UInt8 = 0
            for byte in buffer { combined |= byte }
            return combined < 0x80
        }
        return ascii || String(validating: bytes, as: UTF8.self) != nil
    }

    private static func identifier(_ value: String?, _ name: String) throws(EventRejection) -> String {
        guard let value else { throw EventRejection(.missingField, "field '\(name)' is required") }
        guard Identifier.hasValidLength(value) else {
            throw EventRejection(.invalidField, "field '\(name)' must be 1 to 128 characters")
        }
        guard !Identifier.containsControlCharacter(value) else {
            throw EventRejection(.invalidField, "field '\(name)' must not contain control characters")
        }
        return value
    }

    private static func optionalIdentifier(_ value: String?, _ name: String) throws(EventRejection) -> String? {
        guard let value else { return nil }
        return try identifier(value, name)
    }
}

/// The JSON shape of an event before validation: every field optional, so that a missing field
/// is reported by name instead of as a generic decoding failure. Unknown fields are ignored.
struct WireEvent {
    var id, type, userId, occurredAt, conversationId, contactId, botId, channel, messageType, messageId, reason: String?
    /// Read as a Double so that 1.5 is reported as an invalid `value`, not as broken JSON.
    var value: Double?
    /// Read as a Double for the same reason.
    var tokens: Double?

    /// The string fields of the contract, by wire name.
    enum Field: String, CaseIterable {
        case id, type, userId, occurredAt, conversationId, contactId, botId, channel, messageType, messageId, reason, value, tokens

        /// The fields whose value is a number.
        var isNumeric: Bool { self == .value || self == .tokens }

        init?(bytes: UnsafeBufferPointer<UInt8>) {
            // A key's length and first letter single out the one field it can be, so matching costs
            // one short compare, with no allocation.
            guard let first = bytes.first else { return nil }
            let candidate: Field
            switch (bytes.count, first) {
            case (2, UInt8(ascii: "i")): candidate = .id
            case (4, UInt8(ascii: "t")): candidate = .type
            case (5, UInt8(ascii: "b")): candidate = .botId
            case (5, UInt8(ascii: "v")): candidate = .value
            case (6, UInt8(ascii: "u")): candidate = .userId
            case (6, UInt8(ascii: "r")): candidate = .reason
            case (6, UInt8(ascii: "t")): candidate = .tokens
            case (7, UInt8(ascii: "c")): candidate = .channel
            case (9, UInt8(ascii: "c")): candidate = .contactId
            case (9, UInt8(ascii: "m")): candidate = .messageId
            case (10, UInt8(ascii: "o")): candidate = .occurredAt
            case (11, UInt8(ascii: "m")): candidate = .messageType
            case (14, UInt8(ascii: "c")): candidate = .conversationId
            default: return nil
            }
            var name = candidate.rawValue
            guard name.withUTF8({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) else { return nil }
            self = candidate
        }

        init?(bytes: [UInt8]) {
            guard let field = bytes.withUnsafeBufferPointer({ Field(bytes: $0) }) else { return nil }
            self = field
        }
    }

    /// Sets (or, with nil, clears) a field by name; numeric fields take only nil here, numbers are set
    /// with `setNumber`.
    mutating func set(_ field: Field, _ text: String?) {
        switch field {
        case .id: id = text
        case .type: type = text
        case .userId: userId = text
        case .occurredAt: occurredAt = text
        case .conversationId: conversationId = text
        case .contactId: contactId = text
        case .botId: botId = text
        case .channel: channel = text
        case .messageType: messageType = text
        case .messageId: messageId = text
        case .reason: reason = text
        case .value: value = nil
        case .tokens: tokens = nil
        }
    }

    /// Sets a numeric field.
    mutating func setNumber(_ field: Field, _ number: Double) {
        switch field {
        case .tokens: tokens = number
        default: value = number
        }
    }
}
