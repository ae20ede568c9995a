import Crdkafka
import Foundation
import Logging

/// Turns librdkafka's client errors into one log line per change of state.
///
/// While a broker is down librdkafka retries every connection with backoff and reports each failed
/// attempt, per broker and per role (bootstrap, coordinator). An operator needs to read "all brokers
/// are down" once, then "recovered" once, not a line per retry; the per-connection detail stays
/// available at debug level.
final class KafkaErrorReporter: @unchecked Sendable {
    private let logger: Logger
    private let lock = NSLock()
    private var reported: String?

    init(logger: Logger) { self.logger = logger }

    func report(_ code: rd_kafka_resp_err_t, _ reason: String) {
        switch code {
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__RESOLVE:
            logger.debug("kafka: \(reason)")
        case RD_KAFKA_RESP_ERR__FATAL:
            logger.critical("kafka: fatal error: \(reason)")
        default:
            let state = code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ? "all brokers are down; retrying with backoff" : reason
            let isNew = lock.withLock {
                defer { reported = state }
                return reported != state
            }
            if isNew { logger.warning("kafka: \(state)") }
        }
    }

    /// The state last reported, cleared so that the next trouble is reported again.
    func takeReported() -> String? {
        lock.withLock {
            defer { reported = nil }
            return reported
        }
    }
}

/// Routes librdkafka's own log lines into swift-log, at a matching level.
///
/// Failed connection attempts (facility FAIL) go to debug: the error callback reports the state
/// they add up to, once.
let kafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { _, level, facility, text in
    let logger = Logger(label: "tally.kafka")
    let facilityName = facility.map { String(cString: $0) } ?? ""
    let line = "\(facilityName): \(text.map { String(cString: $0) } ?? "")"
    switch level {
    case _ where facilityName == "FAIL": logger.debug("\(line)")
    case ...3: logger.error("\(line)")
    case 4: logger.warning("\(line)")
    case 5, 6: logger.info("\(line)")
    default: logger.debug("\(line)")
    }
}
