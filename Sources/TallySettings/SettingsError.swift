/// Failures of the settings store, each with a stable code for logs, the CLI and HTTP.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The data directory or `settings.sqlite` cannot be created or opened.
        case cannotOpen = "settings_cannot_open"
        /// A write failed (disk full, read-only file system, I/O error); nothing of it was kept.
        case writeFailed = "settings_write_failed"
        /// A read failed.
        case readFailed = "settings_read_failed"
        /// A stored value could not be decoded (corruption, or a file written by a newer version).
        case corrupt = "settings_corrupt"
        /// A command is not valid JSON of a known type, or a field is out of range.
        case invalidCommand = "invalid_command"
        /// A key with this id or this secret exists already.
        case keyExists = "key_exists"
        /// No key has this id.
        case keyNotFound = "key_not_found"
        /// The key was revoked before; revoking is not repeated, so the first time stays on record.
        case keyAlreadyRevoked = "key_already_revoked"
        /// A report job with this id exists already.
        case reportJobExists = "report_job_exists"
        /// No report job has this id.
        case reportNotFound = "report_not_found"
        /// The job is not in a state the command applies to (completing a pending job, failing a completed one).
        case reportJobState = "report_job_state"
        /// No custom template has this id.
        case templateNotFound = "template_not_found"
        /// A template with this id exists already, or an update's version is not the stored one + 1.
        case templateConflict = "template_conflict"
        /// No schedule has this id.
        case scheduleNotFound = "schedule_not_found"
        /// A schedule with this id exists already, or an update's version is not the stored one + 1.
        case scheduleConflict = "schedule_conflict"
        /// The (schedule, instant) run is recorded already: it is never run twice.
        case scheduleRunExists = "schedule_run_exists"
        /// No run of the schedule at this instant, or it is not in a state the command applies to.
        case scheduleRunState = "schedule_run_state"
        /// The delivery is sent, or another process holds its claim.
        case deliveryClaimed = "delivery_claimed"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
