import Testing
@testable import TallyDomain

/// A tiny seeded generator (SplitMix64) so every random scenario is reproducible from its seed.
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

    /// A value in `0..<bound`; the modulo bias is irrelevant for tests.
    mutating func next(below bound: UInt32) -> UInt32 {
        UInt32(truncatingIfNeeded: next() % UInt64(bound))
    }
}

/// Random values spread over a few chunks, with some chunks dense enough to become bitmaps.
private func mixedValues(count: Int, seed: UInt64) -> [UInt32] {
    var random = SplitMix64(seed: seed)
    var values: [UInt32] = []
    values.reserveCapacity(count)
    for _ in 0..<count {
        switch random.next(below: 4) {
        case 0: values.append(random.next(below: 1 << 16))                    // chunk 0, dense
        case 1: values.append(3 << 16 | random.next(below: 3000))             // chunk 3, a narrow range
        case 2: values.append(random.next(below: 40) << 16 | random.next(below: 1 << 16))  // many sparse chunks
        default: values.append(UInt32.max - random.next(below: 5000))         // the very top chunk
        }
    }
    return values
}

/// `count` distinct values from chunk `key`, spread over its whole low range.
private func chunkValues(key: UInt32, count: Int, seed: UInt64) -> Set<UInt32> {
    var random = SplitMix64(seed: seed)
    var values = Set<UInt32>()
    while values.count < count {
        values.insert(key << 16 | random.next(below: 1 << 16))
    }
    return values
}

private func expectMatches(_ bitmap: OrdinalBitmap, _ oracle: Set<UInt32>, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(bitmap.count == oracle.count, sourceLocation: sourceLocation)
    #expect(bitmap.isEmpty == oracle.isEmpty, sourceLocation: sourceLocation)
    #expect(bitmap.sorted() == oracle.sorted(), sourceLocation: sourceLocation)
}

@Suite("OrdinalBitmap")
struct OrdinalBitmapTests {
    @Test("an empty bitmap has no members and serializes to a header only")
    func emptyBitmap() throws {
        let bitmap = OrdinalBitmap()
        #expect(bitmap.isEmpty)
        #expect(bitmap.count == 0)
        #expect(!bitmap.contains(0))
        #expect(!bitmap.contains(.max))
        #expect(bitmap.sorted().isEmpty)
        #expect(bitmap == OrdinalBitmap([]))
        #expect(bitmap.serialized() == [1, 0, 0, 0, 0])
        #expect(try OrdinalBitmap(serialized: bitmap.serialized()) == bitmap)
        #expect(OrdinalBitmap.unionCount([OrdinalBitmap]()) == 0)
        #expect(OrdinalBitmap.unionCount([bitmap, bitmap]) == 0)
    }

    @Test("random inserts across several chunks agree with a Set", arguments: [1, 2, 3] as [UInt64])
    func randomInsertsMatchSet(seed: UInt64) {
        var bitmap = OrdinalBitmap()
        var oracle = Set<UInt32>()
        // Mismatches are tallied rather than asserted one by one, to keep the failure report readable.
        var insertMismatches = 0
        for value in mixedValues(count: 30_000, seed: seed) where bitmap.insert(value) != oracle.insert(value).inserted {
            insertMismatches += 1
        }
        #expect(insertMismatches == 0)
        expectMatches(bitmap, oracle)
        #expect(bitmap.chunkLayout.count > 3)
        #expect(bitmap.chunkLayout.contains { $0.isBitmap })
        #expect(bitmap.chunkLayout.contains { !$0.isBitmap })

        var probes = SplitMix64(seed: seed &+ 100)
        var candidates = mixedValues(count: 20_000, seed: seed &+ 200)
        for _ in 0..<20_000 {
            candidates.append(UInt32(truncatingIfNeeded: probes.next()))
        }
        var containsMismatches = 0
        for value in candidates where bitmap.contains(value) != oracle.contains(value) {
            containsMismatches += 1
        }
        #expect(containsMismatches == 0)
    }

    @Test("building from a sequence equals inserting one by one, in any order and with duplicates")
    func sequenceInitializerMatchesInserts() {
        let values = mixedValues(count: 25_000, seed: 7)
        var inserted = OrdinalBitmap()
        for value in values { inserted.insert(value) }
        let built = OrdinalBitmap(values)
        let builtReversed = OrdinalBitmap(values.reversed() + values)
        #expect(built == inserted)
        #expect(builtReversed == inserted)
        expectMatches(built, Set(values))
    }

    @Test("extreme values 0 and UInt32.max live in the first and last chunks")
    func extremeValues() {
        var bitmap = OrdinalBitmap()
        // `insert` is mutating, so its results are captured before being checked.
        let insertedMax = bitmap.insert(.max)
        let insertedZero = bitmap.insert(0)
        let reinsertedMax = bitmap.insert(.max)
        #expect(insertedMax)
        #expect(insertedZero)
        #expect(!reinsertedMax)
        #expect(bitmap.sorted() == [0, .max])
        #expect(bitmap.chunkLayout.map(\.key) == [0, .max])
    }

    @Test("a chunk stays an array at exactly 4096 members and becomes a bitmap at 4097")
    func arrayToBitmapThreshold() {
        let values = chunkValues(key: 5, count: 4097, seed: 11).sorted()
        let firstLimit = Array(values.prefix(4096))
        let last = values[4096]

        var bitmap = OrdinalBitmap()
        let allNew = firstLimit.allSatisfy { bitmap.insert($0) }
        #expect(allNew)
        #expect(bitmap.count == 4096)
        #expect(bitmap.chunkLayout == [.init(key: 5, isBitmap: false, cardinality: 4096)])
        #expect(OrdinalBitmap(firstLimit).chunkLayout == bitmap.chunkLayout)

        // A duplicate at the limit must not trigger the conversion.
        let insertedDuplicate = bitmap.insert(firstLimit[1234])
        #expect(!insertedDuplicate)
        #expect(bitmap.chunkLayout == [.init(key: 5, isBitmap: false, cardinality: 4096)])

        let insertedLast = bitmap.insert(last)
        #expect(insertedLast)
        #expect(bitmap.count == 4097)
        #expect(bitmap.chunkLayout == [.init(key: 5, isBitmap: true, cardinality: 4097)])
        let reinsertedLast = bitmap.insert(last)
        #expect(!reinsertedLast)
        #expect(bitmap.count == 4097)
        #expect(values.allSatisfy { bitmap.contains($0) })
        #expect(!bitmap.contains(4 << 16 | 17))
        #expect(bitmap.sorted() == values)

        // The same set built any other way has the same canonical storage.
        #expect(OrdinalBitmap(values) == bitmap)
        #expect(OrdinalBitmap(firstLimit).union(OrdinalBitmap([last])) == bitmap)
    }

    @Test("serialized size reflects the container form at the threshold")
    func serializedSizeAtThreshold() {
        let values = chunkValues(key: 0, count: 4097, seed: 12).sorted()
        #expect(OrdinalBitmap(values.prefix(4096)).serialized().count == 1 + 4 + 4 + 4096 * 2)
        #expect(OrdinalBitmap(values).serialized().count == 1 + 4 + 4 + 1024 * 8)
    }

    @Test("union of two arrays whose merge stays at 4096 keeps the array form")
    func overlappingArraysStayArray() {
        let values = chunkValues(key: 2, count: 4096, seed: 13).sorted()
        let left = OrdinalBitmap(values.prefix(3000))
        let right = OrdinalBitmap(values.suffix(3000))
        let union = left.union(right)
        #expect(union.chunkLayout == [.init(key: 2, isBitmap: false, cardinality: 4096)])
        #expect(union == OrdinalBitmap(values))
        #expect(OrdinalBitmap.unionCount([left, right]) == 4096)
    }

    @Test("union of two arrays past 4096 becomes a bitmap")
    func disjointArraysBecomeBitmap() {
        let values = chunkValues(key: 2, count: 6000, seed: 14).sorted()
        let left = OrdinalBitmap(values.prefix(3000))
        let right = OrdinalBitmap(values.suffix(3000))
        let union = left.union(right)
        #expect(union.chunkLayout == [.init(key: 2, isBitmap: true, cardinality: 6000)])
        #expect(union == OrdinalBitmap(values))
        #expect(OrdinalBitmap.unionCount([left, right]) == 6000)
    }

    @Test(
        "union of array and bitmap containers agrees with Set union",
        arguments: [
            (100, 200), (100, 9000), (9000, 100), (9000, 20_000), (4096, 4096), (4000, 4000), (30_000, 50_000),
        ] as [(Int, Int)]
    )
    func unionMixedContainers(leftSize: Int, rightSize: Int) {
        // Both sides share chunk 1; each also has a chunk of its own so key merging is exercised too.
        let leftSet = chunkValues(key: 1, count: leftSize, seed: 21).union(chunkValues(key: 0, count: 50, seed: 22))
        let rightSet = chunkValues(key: 1, count: rightSize, seed: 23).union(chunkValues(key: 9, count: 5000, seed: 24))
        let left = OrdinalBitmap(leftSet)
        let right = OrdinalBitmap(rightSet)
        let oracle = leftSet.union(rightSet)

        let union = left.union(right)
        expectMatches(union, oracle)
        #expect(union == OrdinalBitmap(oracle))
        #expect(right.union(left) == union)

        var folded = right
        folded.formUnion(left)
        #expect(folded == union)
        #expect(OrdinalBitmap.unionCount([left, right]) == oracle.count)

        // The operands are values: the union must not have changed them.
        expectMatches(left, leftSet)
        expectMatches(right, rightSet)
    }

    @Test("union with itself and with an empty set changes nothing")
    func unionIdentities() {
        let set = Set(mixedValues(count: 20_000, seed: 31))
        var bitmap = OrdinalBitmap(set)
        let original = bitmap
        bitmap.formUnion(bitmap)
        #expect(bitmap == original)
        bitmap.formUnion(OrdinalBitmap())
        #expect(bitmap == original)
        #expect(OrdinalBitmap().union(bitmap) == original)
        #expect(OrdinalBitmap.unionCount([bitmap, bitmap, original]) == set.count)
        expectMatches(bitmap, set)
    }

    @Test("folding many random bitmaps with formUnion agrees with a Set")
    func foldManyRandomBitmaps() {
        var random = SplitMix64(seed: 41)
        var oracle = Set<UInt32>()
        var accumulator = OrdinalBitmap()
        var days: [OrdinalBitmap] = []
        for day in 0..<20 {
            let size = Int(random.next(below: 6000))
            let values = mixedValues(count: size, seed: 1000 + UInt64(day))
            let bitmap = OrdinalBitmap(values)
            days.append(bitmap)
            accumulator.formUnion(bitmap)
            oracle.formUnion(values)
            expectMatches(accumulator, oracle)
        }
        #expect(OrdinalBitmap.unionCount(days) == oracle.count)
        #expect(OrdinalBitmap.unionCount(days[...]) == oracle.count)
    }

    @Test("union count of sparse array-only chunks agrees with a Set")
    func unionCountSparseArrays() {
        var random = SplitMix64(seed: 51)
        var oracle = Set<UInt32>()
        var bitmaps: [OrdinalBitmap] = []
        for _ in 0..<12 {
            var values: [UInt32] = []
            for _ in 0..<2000 {
                values.append(random.next(below: 200) << 16 | random.next(below: 300))
            }
            oracle.formUnion(values)
            bitmaps.append(OrdinalBitmap(values))
        }
        let onlyArrays = bitmaps.allSatisfy { bitmap in bitmap.chunkLayout.allSatisfy { chunk in !chunk.isBitmap } }
        #expect(onlyArrays)
        #expect(OrdinalBitmap.unionCount(bitmaps) == oracle.count)
        // Repeat in a different order so the reused scratch space is exercised after bitmap chunks too.
        let dense = OrdinalBitmap(chunkValues(key: 0, count: 10_000, seed: 52))
        oracle.formUnion(dense.sorted())
        #expect(OrdinalBitmap.unionCount([dense] + bitmaps + [dense]) == oracle.count)
    }

    @Test("a full chunk unions to 65536 members")
    func fullChunk() {
        let full = OrdinalBitmap((0..<(1 << 16)).map { UInt32($0) | 7 << 16 })
        #expect(full.count == 1 << 16)
        let partial = OrdinalBitmap([7 << 16 | 3, 7 << 16 | 9, 8 << 16])
        #expect(OrdinalBitmap.unionCount([partial, full]) == (1 << 16) + 1)
        #expect(full.union(partial).count == (1 << 16) + 1)
    }

    @Test("union count of 30 dense bitmaps of about 100k values each")
    func unionCountThirtyDenseBitmaps() throws {
        var random = SplitMix64(seed: 61)
        var oracle = Set<UInt32>()
        var bitmaps: [OrdinalBitmap] = []
        for _ in 0..<30 {
            var values: [UInt32] = []
            values.reserveCapacity(100_000)
            for _ in 0..<100_000 {
                values.append(random.next(below: 150_000))
            }
            oracle.formUnion(values)
            bitmaps.append(OrdinalBitmap(values))
        }
        #expect(OrdinalBitmap.unionCount(bitmaps) == oracle.count)

        var folded = OrdinalBitmap()
        for bitmap in bitmaps { folded.formUnion(bitmap) }
        #expect(folded.count == oracle.count)

        let decoded = try bitmaps.map { try OrdinalBitmap(serialized: $0.serialized()) }
        #expect(decoded == bitmaps)
        #expect(OrdinalBitmap.unionCount(decoded) == oracle.count)
    }

    @Test("serialization round-trips sparse, dense and mixed sets", arguments: [0, 1, 10, 5000, 40_000] as [Int])
    func serializationRoundTrip(size: Int) throws {
        let values = mixedValues(count: size, seed: UInt64(size) &+ 71)
        let bitmap = OrdinalBitmap(values)
        let bytes = bitmap.serialized()
        #expect(bytes.first == 1)
        let decoded = try OrdinalBitmap(serialized: bytes)
        #expect(decoded == bitmap)
        expectMatches(decoded, Set(values))
        // Non-contiguous and sliced inputs decode the same way.
        #expect(try OrdinalBitmap(serialized: bytes.lazy.map { $0 }) == bitmap)
        #expect(try OrdinalBitmap(serialized: ([0xAA] + bytes)[1...]) == bitmap)
    }

    @Test("empty input, wrong version and trailing bytes are rejected")
    func rejectsMalformedFraming() {
        let bytes = OrdinalBitmap([1, 2, 3, 70_000]).serialized()
        #expect(throws: OrdinalBitmap.DecodingError.truncated) { try OrdinalBitmap(serialized: [UInt8]()) }
        var wrongVersion = bytes
        wrongVersion[0] = 2
        #expect(throws: OrdinalBitmap.DecodingError.unsupportedVersion(2)) { try OrdinalBitmap(serialized: wrongVersion) }
        #expect(throws: OrdinalBitmap.DecodingError.trailingBytes(1)) { try OrdinalBitmap(serialized: bytes + [0]) }
        #expect(throws: OrdinalBitmap.DecodingError.tooManyChunks(0xFFFF_FFFF)) {
            try OrdinalBitmap(serialized: [1, 0xFF, 0xFF, 0xFF, 0xFF])
        }
        #expect(throws: OrdinalBitmap.DecodingError.truncated) {
            try OrdinalBitmap(serialized: [1, 0x00, 0x00, 0x01, 0x00])  // 65 536 chunks announced, none present
        }
    }

    @Test("every truncation of a valid encoding throws", arguments: [10, 9000] as [Int])
    func rejectsEveryTruncation(size: Int) {
        let bytes = OrdinalBitmap(mixedValues(count: size, seed: 81)).serialized()
        for length in stride(from: 0, to: bytes.count, by: size > 100 ? 7 : 1) {
            #expect(throws: OrdinalBitmap.DecodingError.self) { try OrdinalBitmap(serialized: bytes.prefix(length)) }
        }
        #expect(throws: OrdinalBitmap.DecodingError.self) { try OrdinalBitmap(serialized: bytes.dropLast()) }
    }

    @Test("out-of-order keys, unsorted values and a wrong bitmap cardinality are rejected")
    func rejectsInconsistentContent() {
        // version 1, two chunks: key 3 with values [5, 4]; key 2 with value [1].
        let unsortedValues: [UInt8] = [1, 2, 0, 0, 0, 3, 0, 1, 0, 5, 0, 4, 0, 2, 0, 0, 0, 1, 0]
        #expect(throws: OrdinalBitmap.DecodingError.valuesNotAscending(chunk: 3)) {
            try OrdinalBitmap(serialized: unsortedValues)
        }
        let duplicateValues: [UInt8] = [1, 1, 0, 0, 0, 3, 0, 1, 0, 5, 0, 5, 0]
        #expect(throws: OrdinalBitmap.DecodingError.valuesNotAscending(chunk: 3)) {
            try OrdinalBitmap(serialized: duplicateValues)
        }
        let keysDescending: [UInt8] = [1, 2, 0, 0, 0, 3, 0, 0, 0, 5, 0, 2, 0, 0, 0, 1, 0]
        #expect(throws: OrdinalBitmap.DecodingError.chunkKeysNotAscending(2)) {
            try OrdinalBitmap(serialized: keysDescending)
        }
        let keysRepeated: [UInt8] = [1, 2, 0, 0, 0, 3, 0, 0, 0, 5, 0, 3, 0, 0, 0, 1, 0]
        #expect(throws: OrdinalBitmap.DecodingError.chunkKeysNotAscending(3)) {
            try OrdinalBitmap(serialized: keysRepeated)
        }

        let dense = OrdinalBitmap(chunkValues(key: 4, count: 5000, seed: 91))
        var flipped = dense.serialized()
        flipped[flipped.count - 100] ^= 0x10
        #expect(throws: OrdinalBitmap.DecodingError.cardinalityMismatch(chunk: 4)) {
            try OrdinalBitmap(serialized: flipped)
        }
    }

    @Test("arbitrary and mutated bytes never crash the decoder")
    func fuzzedInputNeverCrashes() {
        var random = SplitMix64(seed: 101)
        let valid = OrdinalBitmap(mixedValues(count: 3000, seed: 102)).serialized()
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round.isMultiple(of: 2) {
                let length = Int(random.next(below: 64))
                bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                if !bytes.isEmpty, random.next(below: 2) == 0 { bytes[0] = 1 }
            } else {
                bytes = valid
                for _ in 0...Int(random.next(below: 4)) {
                    let index = Int(random.next(below: UInt32(bytes.count)))
                    bytes[index] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            // Anything that decodes must be a faithful, canonical reading of exactly these bytes.
            if let decoded = try? OrdinalBitmap(serialized: bytes) {
                #expect(decoded.serialized() == bytes)
            }
        }
    }
}
