import ArgumentParser
import Foundation
import TallyDelivery
import TallyMail

/// `tally serve`'s options for scheduled reports and their mail. Without `--smtp-url`, creating a
/// schedule is refused with 409 smtp_not_configured.
struct MailOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Mail server for scheduled reports: smtp://host:port, or smtps://host:port for TLS from the first byte; without it, creating a schedule answers 409 smtp_not_configured (env TALLY_SMTP_URL).",
                               valueName: "url"))
    var smtpURL: String? = ProcessInfo.processInfo.environment["TALLY_SMTP_URL"].flatMap { $0.isEmpty ? nil : $0 }

    @Flag(help: "Upgrade an smtp:// connection with STARTTLS and refuse to send in clear (env TALLY_SMTP_STARTTLS=1).")
    var smtpStarttls: Bool = environment("TALLY_SMTP_STARTTLS", "0") == "1"

    @Option(help: "User name for SMTP authentication (env TALLY_SMTP_USER).")
    var smtpUser: String? = ProcessInfo.processInfo.environment["TALLY_SMTP_USER"].flatMap { $0.isEmpty ? nil : $0 }

    @Option(help: ArgumentHelp("File whose first line is the SMTP password, so it is not in the process list (env TALLY_SMTP_PASSWORD_FILE).",
                               valueName: "path"))
    var smtpPasswordFile: String? = ProcessInfo.processInfo.environment["TALLY_SMTP_PASSWORD_FILE"].flatMap { $0.isEmpty ? nil : $0 }

    @Option(help: ArgumentHelp("The sender address of scheduled reports (env TALLY_SMTP_FROM).", valueName: "address"))
    var smtpFrom: String = environment("TALLY_SMTP_FROM", "tally@localhost")

    @Option(help: ArgumentHelp("The longest one message may take to send, connecting included, e.g. 60s (env TALLY_SMTP_TIMEOUT).", valueName: "duration"))
    var smtpTimeout: String = environment("TALLY_SMTP_TIMEOUT", "60s")

    @Option(help: "Retries of a failed delivery, sent to the failed recipients only, with waits doubling from --smtp-retry-delay (env TALLY_SMTP_RETRIES).")
    var smtpRetries: Int = Int(environment("TALLY_SMTP_RETRIES", "5")) ?? 5

    @Option(help: ArgumentHelp("The wait before the first retry of a failed delivery, e.g. 30s (env TALLY_SMTP_RETRY_DELAY).", valueName: "duration"))
    var smtpRetryDelay: String = environment("TALLY_SMTP_RETRY_DELAY", "30s")

    @Option(help: ArgumentHelp(
        "A fire instant missed while no server ran is run once, late, when it is at most DURATION old; older ones are recorded as skipped (env TALLY_SCHEDULE_CATCHUP).",
        valueName: "duration"))
    var scheduleCatchup: String = environment("TALLY_SCHEDULE_CATCHUP", "6h")

    @Option(help: ArgumentHelp("Reports larger than this many bytes are linked instead of attached (env TALLY_MAIL_ATTACHMENT_MAX).", valueName: "bytes"))
    var mailAttachmentMax: Int = Int(environment("TALLY_MAIL_ATTACHMENT_MAX", "10485760")) ?? 10_485_760

    @Option(help: ArgumentHelp("The base URL of this server in links that mail carries, e.g. https://tally.example.com (env TALLY_PUBLIC_URL; default: http://<--http>).",
                               valueName: "url"))
    var publicURL: String? = ProcessInfo.processInfo.environment["TALLY_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 }

    func validate() throws {
        guard (0...20).contains(smtpRetries) else { throw ValidationError("--smtp-retries must be from 0 to 20") }
        guard let timeout = SnapshotInterval(smtpTimeout)?.duration, timeout <= .seconds(3600) else {
            throw ValidationError("--smtp-timeout must be a whole number with a unit s or m, at most 1h, e.g. 60s")
        }
        guard SnapshotInterval(smtpRetryDelay)?.duration != nil else { throw ValidationError("--smtp-retry-delay must be a whole number with a unit s, m, h or d, e.g. 30s") }
        guard SnapshotInterval(scheduleCatchup)?.duration != nil else { throw ValidationError("--schedule-catchup must be a whole number with a unit s, m, h or d, e.g. 6h") }
        guard (1...1_073_741_824).contains(mailAttachmentMax) else { throw ValidationError("--mail-attachment-max must be from 1 to 1073741824 bytes") }
        if let publicURL, !(publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://")) || publicURL.contains(where: { $0.isWhitespace }) {
            throw ValidationError("--public-url must be an http:// or https:// URL")
        }
        do { _ = try smtp() } catch { throw ValidationError("\(error.message)") }
    }

    /// The mail server's configuration, or nil without `--smtp-url`.
    func smtp() throws(MailError) -> SMTPConfiguration? {
        guard let smtpURL else { return nil }
        var password: String?
        if let smtpPasswordFile {
            guard let text = try? String(contentsOfFile: smtpPasswordFile, encoding: .utf8) else {
                throw MailError(.client, "--smtp-password-file \(smtpPasswordFile) cannot be read")
            }
            password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        }
        let from: MailAddress
        do { from = try MailAddress(smtpFrom) } catch { throw MailError(.invalidAddress, "--smtp-from: \(error.message)") }
        let timeout = Int(SnapshotInterval(smtpTimeout)?.duration?.components.seconds ?? 60)
        return try SMTPConfiguration(url: smtpURL, startTLS: smtpStarttls, user: smtpUser, password: password, from: from, timeoutSeconds: timeout)
    }

    /// The scheduler's configuration; `http` is the API's listen address, for links by default.
    func schedulerConfiguration(http: String, reportTimeout: Duration) throws -> ReportSchedulerConfiguration {
        func millis(_ duration: Duration?) -> Int64 { (duration?.components.seconds ?? 0) * 1000 }
        return ReportSchedulerConfiguration(
            smtp: try smtp(), catchUpMillis: millis(SnapshotInterval(scheduleCatchup)?.duration), retries: smtpRetries,
            firstRetryDelayMillis: millis(SnapshotInterval(smtpRetryDelay)?.duration), attachmentMaxBytes: mailAttachmentMax,
            publicURL: publicURL ?? "http://\(http)", reportTimeoutMillis: millis(reportTimeout))
    }
}
