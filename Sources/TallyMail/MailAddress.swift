/// An e-mail address as Tally accepts it for recipients and senders: `local@domain`, at most 254
/// bytes, no spaces, angle brackets, quotes or control characters.
///
/// Deliberately narrower than RFC 5322 allows (no quoted local parts, no comments, no display
/// names): an address is written into the SMTP envelope and a header as it is, so anything that
/// could end a header line or an SMTP command (CR, LF) or change its meaning is refused at
/// creation rather than escaped at sending.
public struct MailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(MailError) {
        guard let reason = Self.problem(text) else {
            value = text
            return
        }
        throw MailError(.invalidAddress, "'\(Self.shown(text))' is not an e-mail address: \(reason)")
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch { throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// Why `text` is refused, or nil.
    static func problem(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 254 else { return "it must be 1 to 254 bytes" }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "it contains a control character (CR and LF included)" }
        if text.contains(where: { " <>\"(),;:[]\\".contains($0) }) { return "it contains a space or one of < > \" ( ) , ; : [ ] \\" }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return "it needs one @ with a local part of 1 to 64 bytes before it" }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else {
            return "its domain must be dot-separated labels of 1 to 63 characters"
        }
        return nil
    }

    /// A refused value as an error message shows it: control characters escaped, at most 64 characters.
    static func shown(_ text: String) -> String {
        String(text.prefix(64)).unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }
}
