/// Why a message could not be built or sent, with a stable code.
public struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A recipient or sender that is not an address Tally accepts.
        case invalidAddress = "invalid_address"
        /// A header value (a subject, a file name) with CR or LF, or too long.
        case invalidHeader = "invalid_header"
        /// The SMTP server refused the message or a recipient (its reply code is kept).
        case rejected = "smtp_rejected"
        /// The server could not be reached or the exchange broke off; worth retrying.
        case unreachable = "smtp_unreachable"
        /// The client itself could not be set up (libcurl).
        case client = "smtp_client_error"
    }

    public var code: Code
    public var message: String
    /// The SMTP reply code, when the server answered (e.g. 550).
    public var replyCode: Int?

    public init(_ code: Code, _ message: String, replyCode: Int? = nil) {
        self.code = code
        self.message = message
        self.replyCode = replyCode
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// True for failures a later attempt may get past: the server unreachable, or a 4xx reply.
    public var isTransient: Bool {
        switch code {
        case .unreachable: true
        case .rejected: (replyCode ?? 500) < 500
        default: false
        }
    }
}
