import Testing
import TallyDomain
import TallyStore

/// Payload previews: whatever a rejected message holds, the CLI prints one safe line and the API
/// a valid string.
@Suite("Dead-letter previews")
struct StoredDeadLetterTests {
    static func stored(_ payload: [UInt8]) -> StoredDeadLetter {
        StoredDeadLetter(id: 1, letter: DeadLetter(topic: "t", partition: 0, offset: 0, key: nil, payload: payload, code: "invalid_json",
                                                   message: "m", receivedAtMillis: 0), resolvedAtMillis: nil)
    }

    @Test("the printable preview escapes control characters, backslashes and bytes that are not UTF-8")
    func escapes() {
        let payload: [UInt8] = Array("a\tb\nc\\d".utf8) + [0x1B, 0xFF, 0xC3] + Array("é\u{200B}".utf8)
        #expect(Self.stored(payload).printablePreview() == #"a\tb\nc\\d\u{001b}\xff\xc3é\u{200b}"#)
    }

    @Test("the printable preview stops at its length, counting escapes, and says when there is more")
    func cuts() {
        #expect(Self.stored(Array(repeating: 0x00, count: 1_000)).printablePreview(maximumCharacters: 20) == #"\u{0000}\u{0000}…"#)
        #expect(Self.stored(Array("abc".utf8)).printablePreview(maximumCharacters: 3) == "abc")
        #expect(Self.stored(Array("abcd".utf8)).printablePreview(maximumCharacters: 3) == "abc…")
        // Only the first 64 KiB of a larger message is stored: the preview says so even when short.
        let cut = Self.stored(Array(repeating: 0x41, count: DeadLetter.maximumStoredBytes + 1))
        #expect(!cut.isComplete)
        #expect(cut.printablePreview(maximumCharacters: 4) == "AAAA…")
    }

    @Test("the lossy preview replaces invalid UTF-8 and never splits a character at its limit")
    func lossy() {
        #expect(Self.stored([0x41, 0xFF, 0x42]).lossyPreview() == "A\u{FFFD}B")
        let payload = Array(String(repeating: "a", count: 511).utf8) + Array("éz".utf8)
        #expect(Self.stored(payload).lossyPreview(maximumBytes: 512) == String(repeating: "a", count: 511))
        #expect(Self.stored(payload).lossyPreview(maximumBytes: 513) == String(repeating: "a", count: 511) + "é")
    }
}
