import Testing
@testable import TallyDomain

/// A tiny seeded generator (SplitMix64), used to produce reproducible pseudo-random messages.
private struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `count` bytes, each the low byte of one SplitMix64 output seeded with `seed`.
private func randomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
}

/// One pseudo-random message and its digest as printed by the `sha256sum` utility for the same bytes.
struct SHA256ReferenceDigest: Sendable, CustomTestStringConvertible {
    var length: Int
    var seed: UInt64
    var expectedHex: String

    var testDescription: String { "\(length) bytes, seed \(seed)" }
}

@Suite("SHA256")
struct SHA256Tests {
    @Test("FIPS 180-4 example: the empty message")
    func emptyMessage() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("FIPS 180-4 example: \"abc\" (one block)")
    func abc() {
        #expect(SHA256.hex("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("FIPS 180-4 example: the 448-bit message (padding spills into a second block)")
    func twoBlockMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(message.utf8.count == 56)
        #expect(SHA256.hex(message.utf8) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("NIST example: one million repetitions of \"a\"")
    func oneMillionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(message) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("digest is 32 bytes and hex is its lowercase rendering")
    func digestAndHexAgree() {
        let digest = SHA256.digest("abc".utf8)
        #expect(digest.count == 32)
        #expect(digest.prefix(4) == [0xBA, 0x78, 0x16, 0xBF])
        #expect(digest.suffix(4) == [0xF2, 0x00, 0x15, 0xAD])
        let rendered = digest.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }.joined()
        #expect(SHA256.hex("abc".utf8) == rendered)
    }

    @Test("contiguous, non-contiguous and sliced inputs hash the same")
    func inputShapesAgree() {
        let message = randomBytes(count: 1000, seed: 9)
        let expected = SHA256.digest(message)
        #expect(SHA256.digest(message.lazy.map { $0 }) == expected)
        #expect(SHA256.digest(([0, 1, 2] + message)[3...]) == expected)
        #expect(SHA256.digest(AnyCollection(message)) == expected)
    }

    /// Digests of `randomBytes(count:seed:)` computed independently with `sha256sum`, at lengths around the 55/56 and
    /// 64-byte padding boundaries and beyond.
    static let referenceDigests: [SHA256ReferenceDigest] = [
        .init(length: 1, seed: 1, expectedHex: "d1bbd73bb09190bfb883056771e22e997541ed20079793bf33975fe1654581c3"),
        .init(length: 55, seed: 2, expectedHex: "5d8b07de5d95de9dc6625008146e3fb1d2914904437e6d36c940eba317ca7515"),
        .init(length: 56, seed: 3, expectedHex: "5b032fb5bce22c7d3a03ca21c04d61f7f79fda93dde0adcff90a418df31b85cf"),
        .init(length: 63, seed: 4, expectedHex: "4356750f0f5ac24a7350ca82eeff4ae4064b6b44d841ef12cf25a52ae1e967f1"),
        .init(length: 64, seed: 5, expectedHex: "ed0b4b8b4fc1b52582377e08fc81bd042c41a8c5c2fe91e312cc0677b38b9794"),
        .init(length: 65, seed: 6, expectedHex: "bcadbab2cb002e822b5871649b33dd6b9544b29da9dc68487f4852c6cfe72c69"),
        .init(length: 119, seed: 7, expectedHex: "e1ff5618fd451ca72f7e289237b4bb823546a21772180c31bcc38f316f96f043"),
        .init(length: 128, seed: 8, expectedHex: "c31a799f5dbb8cf4619520fbbc44a1062a0ca6b5a9b25f98b17ec926c1d2c322"),
        .init(length: 1000, seed: 9, expectedHex: "7f4d5a2d7986334c0f8d0db72ac6aadd5524dd7e46a77fe1c68c39a4e3650dd6"),
        .init(length: 4097, seed: 10, expectedHex: "aac38fd4ab2a4bb8341cf80c3a5f424d45e638d7cae4a83fc92712d43799a6bd"),
    ]

    @Test("pseudo-random messages match sha256sum", arguments: referenceDigests)
    func matchesSha256sum(reference: SHA256ReferenceDigest) {
        let message = randomBytes(count: reference.length, seed: reference.seed)
        #expect(message.count == reference.length)
        #expect(SHA256.hex(message) == reference.expectedHex)
    }

    @Test(
        "text messages match sha256sum",
        arguments: [
            ("The quick brown fox jumps over the lazy dog",
             "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
            ("tally_live_7Qk2mZ9xVb4RtP0sLw3N", "cccad81ceb4678733cc56f195a807cfd96975ba87ccf868aff97848248b16877"),
            ("Grüße, 世界 🌍", "56ce95b9b665df65c2dd54a7567323ed5c883db32c86d3931f5a3a25b7be6c45"),
        ] as [(String, String)]
    )
    func textMatchesSha256sum(text: String, expectedHex: String) {
        #expect(SHA256.hex(text.utf8) == expectedHex)
    }
}
