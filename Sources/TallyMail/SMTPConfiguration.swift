/// Where and how Tally sends mail: `tally serve`'s `--smtp-*` flags.
public struct SMTPConfiguration: Sendable, Equatable {
    /// `smtp://host:port` or `smtps://host:port` (TLS from the first byte).
    public var url: String
    /// Upgrade an `smtp://` connection with STARTTLS, and fail rather than send in clear.
    public var startTLS: Bool
    public var user: String?
    public var password: String?
    /// The envelope sender and `From` header.
    public var from: MailAddress
    /// The longest one message may take, connection included.
    public var timeoutSeconds: Int

    public init(url: String, startTLS: Bool = false, user: String? = nil, password: String? = nil, from: MailAddress, timeoutSeconds: Int = 60) throws(MailError) {
        guard url.hasPrefix("smtp://") || url.hasPrefix("smtps://"), url.count > 8,
              !url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else {
            throw MailError(.client, "the SMTP URL must be smtp://host[:port] or smtps://host[:port]")
        }
        self.url = url
        self.startTLS = startTLS
        self.user = user
        self.password = password
        self.from = from
        self.timeoutSeconds = timeoutSeconds
    }
}
