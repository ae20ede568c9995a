import TallyKafka
import TallySettings
import TallyStore

/// The outcome an audit entry records for a command that failed: the error's stable code, so the
/// log can be filtered by it as the HTTP errors can.
enum AuditOutcome {
    static func code(of error: any Error) -> String {
        switch error {
        case let error as StoreError: error.code.rawValue
        case let error as SettingsError: error.code.rawValue
        case let error as KafkaError: error.code.rawValue
        case is CancellationError: "cancelled"
        default: "failed"
        }
    }
}
