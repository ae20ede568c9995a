import TallyDomain

/// A dead letter as the store holds it: the rejected message, its row id, and when a replay
/// counted it after all.
///
/// `DeadLetter` is what ingest writes; this is what operators read back, so it also knows how to
/// show a payload that may be binary, huge or cut at the stored limit without hurting a terminal
/// or a JSON client.
public struct StoredDeadLetter: Sendable, Equatable {
    /// The row id, stable for the life of the dead letter: what `replay` and operators refer to.
    public var id: Int64
    public var letter: DeadLetter
    /// When a replay counted this dead letter, or nil while it is unresolved.
    public var resolvedAtMillis: Int64?

    public init(id: Int64, letter: DeadLetter, resolvedAtMillis: Int64?) {
        self.id = id
        self.letter = letter
        self.resolvedAtMillis = resolvedAtMillis
    }

    /// True when every byte of the original message value was stored, so decoding it again means
    /// something; a cut payload would only ever fail, or worse, pass as a different event.
    public var isComplete: Bool { letter.payloadBytes <= letter.payload.count }

    /// The first `maximumBytes` of the payload as text, invalid UTF-8 replaced by U+FFFD.
    /// The cut never splits a character, so a valid payload gives a valid prefix.
    public func lossyPreview(maximumBytes: Int = 512) -> String {
        let payload = letter.payload
        guard payload.count > maximumBytes else { return String(decoding: payload, as: UTF8.self) }
        var end = maximumBytes
        // Back off over continuation bytes (10xxxxxx) so that a multi-byte character is not cut.
        while end > 0, end > maximumBytes - 3, payload[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: payload[..<end], as: UTF8.self)
    }

    /// The payload made safe for one terminal line and cut to `maximumCharacters`: printable
    /// characters as they are, `\n` `\r` `\t` `\\` escaped, other control or format characters as
    /// `\u{…}`, and bytes that are not UTF-8 as `\xHH`. Nothing in a payload can move the cursor or
    /// inject a tab. A trailing `…` says there is more, in the store or in the original message.
    public func printablePreview(maximumCharacters: Int = 120) -> String {
        let (text, cut) = Self.escape(letter.payload, maximumCharacters: maximumCharacters)
        return cut || !isComplete ? text + "…" : text
    }

    /// Any bytes escaped and cut as `printablePreview` does; also for messages, which quote parts
    /// of the payload. The limit counts output characters, so a run of escaped bytes stays short.
    public static func printable(_ bytes: [UInt8], maximumCharacters: Int) -> String {
        let (text, cut) = escape(bytes, maximumCharacters: maximumCharacters)
        return cut ? text + "…" : text
    }

    /// The escaped text and whether it had to stop before the end of `bytes`.
    private static func escape(_ bytes: [UInt8], maximumCharacters: Int) -> (text: String, cut: Bool) {
        var out = ""
        var length = 0
        var rest = bytes[...]
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = rest.makeIterator()
        func append(_ piece: String) -> Bool {
            let count = piece.unicodeScalars.count
            guard length + count <= maximumCharacters else { return false }
            out += piece
            length += count
            return true
        }
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                rest = rest.dropFirst(encoded.count)
                guard append(escaped(Unicode.UTF8.decode(encoded))) else { return (out, true) }
            case .error(let count):
                for byte in rest.prefix(count) {
                    guard append("\\x" + hex(byte, width: 2)) else { return (out, true) }
                }
                rest = rest.dropFirst(count)
            case .emptyInput:
                return (out, false)
            }
        }
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\\": return "\\\\"
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
            return "\\u{" + hex(scalar.value, width: 4) + "}"
        default:
            return String(scalar)
        }
    }

    private static func hex(_ value: some BinaryInteger, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension StoredDeadLetter: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, topic, partition, offset, code, message, receivedAt, payloadBytes, payloadPreview, resolvedAt
    }

    /// The shape shared by `GET /api/v1/platform/dead-letters` and `tally dead-letters list --json`:
    /// times as RFC 3339 UTC, the payload as its size and a lossy 512-byte preview, `resolvedAt`
    /// only when a replay counted it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(letter.topic, forKey: .topic)
        try container.encode(letter.partition, forKey: .partition)
        try container.encode(letter.offset, forKey: .offset)
        try container.encode(letter.code, forKey: .code)
        try container.encode(letter.message, forKey: .message)
        try container.encode(EventEncoder.timestamp(letter.receivedAtMillis), forKey: .receivedAt)
        try container.encode(letter.payloadBytes, forKey: .payloadBytes)
        try container.encode(lossyPreview(), forKey: .payloadPreview)
        try container.encodeIfPresent(resolvedAtMillis.map(EventEncoder.timestamp), forKey: .resolvedAt)
    }
}
