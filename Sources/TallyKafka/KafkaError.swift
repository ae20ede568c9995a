/// A librdkafka failure, with a stable code and librdkafka's own explanation.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The linked librdkafka is too old to talk to current brokers.
        case unsupportedLibrary = "kafka_library_too_old"
        /// A configuration property was rejected.
        case invalidConfiguration = "kafka_invalid_configuration"
        /// The client handle could not be created.
        case clientCreation = "kafka_client_creation"
        /// Subscribing, assigning or committing failed.
        case consumer = "kafka_consumer"
        /// Producing or flushing failed.
        case producer = "kafka_producer"
        /// An admin request (topic creation) failed.
        case admin = "kafka_admin"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
