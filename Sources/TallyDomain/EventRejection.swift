/// Why an event was not counted. The `code` is stable: it is stored with the dead letter,
/// filtered on by operators and documented in the README, so it must never change meaning.
public struct EventRejection: Error, Sendable, Equatable {
    /// The stable reason codes of the event contract.
    public enum Code: String, Sendable, CaseIterable, Codable {
        /// The message has no key; events are keyed by `userId`.
        case missingKey = "missing_key"
        /// The message had no value, or an empty one.
        case emptyValue = "empty_value"
        /// The value is larger than the contract allows (`EventDecoder.maximumValueBytes`).
        case tooLarge = "too_large"
        /// The value is not valid UTF-8.
        case invalidUTF8 = "invalid_utf8"
        /// The value is not JSON.
        case invalidJSON = "invalid_json"
        /// The value is JSON, but not an object.
        case notAnObject = "not_an_object"
        /// A required field is absent or null.
        case missingField = "missing_field"
        /// A field has the wrong JSON type, length or format.
        case invalidField = "invalid_field"
        /// `type` is not one of the known event types.
        case unknownType = "unknown_type"
        /// A numeric field is outside its allowed range (rating `value`).
        case valueOutOfRange = "value_out_of_range"
        /// `occurredAt` is more than the allowed skew in the future.
        case futureEvent = "future_event"
        /// `occurredAt` is older than the retention limit.
        case beyondRetention = "beyond_retention"
    }

    public var code: Code
    /// A human-readable explanation naming the offending field.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
