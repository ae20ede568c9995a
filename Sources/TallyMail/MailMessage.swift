/// One e-mail to one recipient: what the scheduler sends, as a value. Every header value is
/// checked when the message is made, so a message that exists can be written without escaping:
/// CR and LF (the only way into another header) are refused, never stripped.
public struct MailMessage: Sendable, Equatable {
    public struct Attachment: Sendable, Equatable {
        /// The file name offered to the reader (ASCII, no quotes or control characters).
        public var fileName: String
        public var contentType: String
        public var bytes: [UInt8]

        public init(fileName: String, contentType: String, bytes: [UInt8]) throws(MailError) {
            try MailMessage.checkHeader(fileName, "the attachment's file name")
            guard fileName.unicodeScalars.allSatisfy({ $0.isASCII && $0 != "\"" && $0 != "\\" }) else {
                throw MailError(.invalidHeader, "the attachment's file name must be ASCII without quotes or backslashes")
            }
            try MailMessage.checkHeader(contentType, "the attachment's content type")
            self.fileName = fileName
            self.contentType = contentType
            self.bytes = bytes
        }
    }

    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    /// The `Message-ID` without its angle brackets, e.g. `sched-1.1767225600.3f2a@tally` (one @).
    public var messageId: String
    /// When the message was made, in ms since the epoch (the `Date` header, in UTC).
    public var dateMillis: Int64
    public var text: String
    public var html: String
    public var attachment: Attachment?

    /// The longest subject accepted, in characters.
    public static let maximumSubjectCharacters = 300

    public init(from: MailAddress, to: MailAddress, subject: String, messageId: String, dateMillis: Int64, text: String, html: String,
                attachment: Attachment? = nil) throws(MailError) {
        try Self.checkHeader(subject, "the subject")
        guard subject.count <= Self.maximumSubjectCharacters else {
            throw MailError(.invalidHeader, "the subject must be at most \(Self.maximumSubjectCharacters) characters")
        }
        try Self.checkHeader(messageId, "the Message-ID")
        guard messageId.utf8.count <= 200, messageId.split(separator: "@", omittingEmptySubsequences: false).count == 2,
              !messageId.hasPrefix("@"), !messageId.hasSuffix("@"),
              messageId.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && !"<>\"\\".unicodeScalars.contains($0) }) else {
            throw MailError(.invalidHeader, "a Message-ID is at most 200 bytes of printable ASCII with one @ inside and no spaces, quotes or angle brackets")
        }
        self.from = from
        self.to = to
        self.subject = subject
        self.messageId = messageId
        self.dateMillis = dateMillis
        self.text = text
        self.html = html
        self.attachment = attachment
    }

    /// Refuses a header value holding CR, LF or another control character.
    static func checkHeader(_ value: String, _ what: String) throws(MailError) {
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw MailError(.invalidHeader, "\(what) must not contain CR or LF")
        }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
            throw MailError(.invalidHeader, "\(what) must not contain control characters")
        }
    }
}
