/// An exact set of `UInt32` ordinals, stored in the chunked two-representation layout known from roaring bitmaps.
///
/// Tally counts distinct contacts and distinct conversations. Each is identified by a small dense ordinal handed out
/// by the store, so one day's activity is a set of ordinals, and "distinct over a period" is the cardinality of the
/// union of the days. Those two operations (union and cardinality) are what this type is shaped around:
///
/// - An ordinal is split into a 16-bit chunk key (the high half) and a 16-bit low half. Each chunk that holds at least
///   one member owns a container for the low halves.
/// - A container holding up to ``arrayLimit`` values is a sorted array of `UInt16`: two bytes per member, which keeps
///   sparse days small on disk and in memory.
/// - Past that limit a container becomes a fixed 1024-word (8 KiB) bitmap. At 4096 members both forms take 8 KiB, so
///   the switch never makes a container bigger, and dense chunks get word-wise OR for union and hardware popcount for
///   cardinality.
///
/// The representation is canonical: a chunk with at most ``arrayLimit`` members is always an array, a larger one is
/// always a bitmap, and empty chunks are never stored. Equal sets therefore have identical storage, which is why the
/// synthesized `Equatable` is correct, and why the serialized form can derive the container kind from its count.
///
/// Every container caches its cardinality, so ``count`` costs one addition per chunk rather than a scan.
public struct OrdinalBitmap: Sendable, Equatable {
    /// The largest number of members a chunk keeps in sorted-array form; one more and it becomes a bitmap.
    static let arrayLimit = 4096

    /// The number of 64-bit words in a bitmap container: 65 536 bits, one per possible low half.
    static let bitmapWordCount = 1024

    /// The version byte written at the start of ``serialized()``; bumped whenever the layout changes.
    static let formatVersion: UInt8 = 1

    /// Chunk keys (high 16 bits of the members), strictly ascending.
    private var keys: [UInt16]

    /// `containers[i]` holds the low 16 bits of the members whose chunk key is `keys[i]`; never empty.
    private var containers: [Container]

    /// Creates an empty set.
    public init() {
        keys = []
        containers = []
    }

    /// Creates a set holding every value of `values`; duplicates are ignored.
    ///
    /// The values are gathered and sorted once, then each chunk is built in a single pass. That is O(n log n) whatever
    /// the input order, where inserting one at a time would shift array containers on every out-of-order value.
    public init<S: Sequence>(_ values: S) where S.Element == UInt32 {
        var all = Array(values)
        all.sort()
        self.init(sortedValues: all)
    }

    /// Builds the set from ascending values (duplicates allowed), one chunk at a time.
    private init(sortedValues all: [UInt32]) {
        keys = []
        containers = []
        var lows: [UInt16] = []
        var index = 0
        while index < all.count {
            let key = UInt16(truncatingIfNeeded: all[index] >> 16)
            lows.removeAll(keepingCapacity: true)
            while index < all.count, UInt16(truncatingIfNeeded: all[index] >> 16) == key {
                let low = UInt16(truncatingIfNeeded: all[index])
                if lows.last != low {
                    lows.append(low)
                }
                index += 1
            }
            keys.append(key)
            containers.append(Container(sortedDistinct: lows))
        }
    }

    /// Inserts `value`; returns `true` if it was not already a member.
    @discardableResult
    public mutating func insert(_ value: UInt32) -> Bool {
        let key = UInt16(truncatingIfNeeded: value >> 16)
        let low = UInt16(truncatingIfNeeded: value)
        let position = Self.lowerBound(of: key, in: keys)
        if position < keys.count, keys[position] == key {
            // Mutating through the subscript edits the container in place, with no copy of its storage.
            return containers[position].insert(low)
        }
        keys.insert(key, at: position)
        containers.insert(Container(single: low), at: position)
        return true
    }

    /// Returns whether `value` is a member.
    public func contains(_ value: UInt32) -> Bool {
        let key = UInt16(truncatingIfNeeded: value >> 16)
        let position = Self.lowerBound(of: key, in: keys)
        guard position < keys.count, keys[position] == key else { return false }
        return containers[position].contains(UInt16(truncatingIfNeeded: value))
    }

    /// The number of members, summed from the cached per-chunk cardinalities in O(chunks).
    public var count: Int {
        var total = 0
        for container in containers {
            total += container.cardinality
        }
        return total
    }

    /// Whether the set has no members; empty chunks are never stored, so this is just "no chunks".
    public var isEmpty: Bool {
        keys.isEmpty
    }

    /// Adds every member of `other` to this set.
    ///
    /// Chunks are matched by a merge over the two sorted key lists. Chunks present only in `other` are shared with it
    /// (copy-on-write), and chunks present in both are combined in place, so the common case of folding many days
    /// into one accumulator copies no container storage it does not have to.
    public mutating func formUnion(_ other: OrdinalBitmap) {
        if other.keys.isEmpty { return }
        if keys.isEmpty {
            self = other
            return
        }

        var mergedKeys: [UInt16] = []
        var mergedContainers: [Container] = []
        mergedKeys.reserveCapacity(keys.count + other.keys.count)
        mergedContainers.reserveCapacity(keys.count + other.keys.count)

        // Take our containers out of `self` so each one can be moved, uniquely referenced, into the result.
        var mine: [Container] = []
        swap(&mine, &containers)

        var i = 0
        var j = 0
        while i < keys.count || j < other.keys.count {
            if j == other.keys.count || (i < keys.count && keys[i] < other.keys[j]) {
                mergedKeys.append(keys[i])
                mergedContainers.append(Self.take(&mine, at: i))
                i += 1
            } else if i == keys.count || other.keys[j] < keys[i] {
                mergedKeys.append(other.keys[j])
                mergedContainers.append(other.containers[j])
                j += 1
            } else {
                var container = Self.take(&mine, at: i)
                container.formUnion(other.containers[j])
                mergedKeys.append(keys[i])
                mergedContainers.append(container)
                i += 1
                j += 1
            }
        }
        keys = mergedKeys
        containers = mergedContainers
    }

    /// Returns a set holding the members of both this set and `other`.
    public func union(_ other: OrdinalBitmap) -> OrdinalBitmap {
        var result = self
        result.formUnion(other)
        return result
    }

    /// The cardinality of the union of `bitmaps`, computed without building the union.
    ///
    /// This is the "distinct over a period" query: one bitmap per day, one number out. The inputs are walked together
    /// chunk key by chunk key. A key held by one input contributes its cached cardinality. A key held by several is
    /// counted in one reused 8 KiB scratch bitmap: bitmap containers are OR-ed in word by word and popcounted, and
    /// when only array containers share the key, their values are test-and-set in the scratch and the touched words
    /// cleared again afterwards, so sparse chunks never pay for a full 8 KiB sweep.
    public static func unionCount<C: Collection>(_ bitmaps: C) -> Int where C.Element == OrdinalBitmap {
        // For an `Array` argument this is free; otherwise it copies references to the storage, not the storage.
        let inputs = Array(bitmaps)
        switch inputs.count {
        case 0: return 0
        case 1: return inputs[0].count
        default: return unionCount(of: inputs)
        }
    }

    /// The non-generic body of ``unionCount(_:)``, so callers in other modules run specialized code.
    private static func unionCount(of inputs: [OrdinalBitmap]) -> Int {
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: bitmapWordCount)
        scratch.initialize(repeating: 0, count: bitmapWordCount)
        defer { scratch.deallocate() }
        // Whether `scratch` may hold set bits; the array-only path needs it zeroed, the bitmap path overwrites it.
        var scratchIsDirty = false

        var cursors = [Int](repeating: 0, count: inputs.count)
        var sharing: [Container] = []
        sharing.reserveCapacity(inputs.count)
        var total = 0

        while true {
            // The smallest chunk key not yet consumed by any input; 65 536 means every input is exhausted.
            var nextKey = 1 << 16
            for (input, cursor) in zip(inputs, cursors) where cursor < input.keys.count {
                nextKey = Swift.min(nextKey, Int(input.keys[cursor]))
            }
            if nextKey == 1 << 16 { break }

            sharing.removeAll(keepingCapacity: true)
            for index in inputs.indices {
                let cursor = cursors[index]
                if cursor < inputs[index].keys.count, Int(inputs[index].keys[cursor]) == nextKey {
                    sharing.append(inputs[index].containers[cursor])
                    cursors[index] = cursor + 1
                }
            }
            total += Container.unionCardinality(of: sharing, scratch: scratch, scratchIsDirty: &scratchIsDirty)
        }
        return total
    }

    /// Every member in ascending order; meant for tests and debugging, since it materializes the whole set.
    public func sorted() -> [UInt32] {
        var result: [UInt32] = []
        result.reserveCapacity(count)
        for (key, container) in zip(keys, containers) {
            container.appendMembers(high: UInt32(key) << 16, to: &result)
        }
        return result
    }

    /// Moves the container at `index` out of `containers`, leaving an empty placeholder, so the caller holds the only
    /// reference to its storage and can mutate it without triggering a copy.
    private static func take(_ containers: inout [Container], at index: Int) -> Container {
        var taken = Container.placeholder
        swap(&taken, &containers[index])
        return taken
    }

    /// The first index whose element is not less than `value` in the ascending `array`.
    @inline(__always)
    fileprivate static func lowerBound(of value: UInt16, in array: [UInt16]) -> Int {
        var low = 0
        var high = array.count
        while low < high {
            let middle = (low + high) >> 1
            if array[middle] < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}

// MARK: - Containers

extension OrdinalBitmap {
    /// The members of one chunk (their low 16 bits), in whichever of the two forms the canonical rule picks.
    ///
    /// It is a struct holding both arrays, rather than an enum with payloads, so that it can be mutated in place
    /// through `Array`'s subscript: switching on an enum and rebinding its payload would copy the storage.
    /// Exactly one of the two arrays is in use; the other stays empty, which costs no allocation.
    fileprivate struct Container: Sendable, Equatable {
        /// The number of members; between 1 and 65 536 for every stored container.
        var cardinality: Int
        /// The members, ascending and distinct, while `cardinality <= arrayLimit`; otherwise empty.
        var values: [UInt16]
        /// `bitmapWordCount` words while `cardinality > arrayLimit`; otherwise empty.
        var words: [UInt64]

        /// An empty stand-in used while moving containers around; never left in a bitmap.
        static let placeholder = Container(cardinality: 0, values: [], words: [])

        var isBitmap: Bool { !words.isEmpty }

        init(cardinality: Int, values: [UInt16], words: [UInt64]) {
            self.cardinality = cardinality
            self.values = values
            self.words = words
        }

        init(single value: UInt16) {
            self.init(cardinality: 1, values: [value], words: [])
        }

        /// Builds the canonical container for ascending, distinct, non-empty `lows`.
        init(sortedDistinct lows: [UInt16]) {
            if lows.count <= OrdinalBitmap.arrayLimit {
                self.init(cardinality: lows.count, values: lows, words: [])
            } else {
                self.init(cardinality: lows.count, values: [], words: Container.bitmapWords(of: lows))
            }
        }

        /// A fresh bitmap with the bits of `lows` set.
        static func bitmapWords(of lows: [UInt16]) -> [UInt64] {
            var words = [UInt64](repeating: 0, count: OrdinalBitmap.bitmapWordCount)
            words.withUnsafeMutableBufferPointer { words in
                for low in lows {
                    words[Int(low &>> 6)] |= 1 &<< UInt64(low & 63)
                }
            }
            return words
        }

        func contains(_ low: UInt16) -> Bool {
            if isBitmap {
                return words[Int(low &>> 6)] & (1 &<< UInt64(low & 63)) != 0
            }
            let position = OrdinalBitmap.lowerBound(of: low, in: values)
            return position < values.count && values[position] == low
        }

        mutating func insert(_ low: UInt16) -> Bool {
            if isBitmap {
                let wordIndex = Int(low &>> 6)
                let bit: UInt64 = 1 &<< UInt64(low & 63)
                if words[wordIndex] & bit != 0 { return false }
                words[wordIndex] |= bit
                cardinality += 1
                return true
            }
            let position = OrdinalBitmap.lowerBound(of: low, in: values)
            if position < values.count, values[position] == low { return false }
            if values.count < OrdinalBitmap.arrayLimit {
                values.insert(low, at: position)
            } else {
                // The 4097th member: switch to the bitmap form, which is no larger than the full array.
                var grown = Container.bitmapWords(of: values)
                grown[Int(low &>> 6)] |= 1 &<< UInt64(low & 63)
                words = grown
                values = []
            }
            cardinality += 1
            return true
        }

        /// Adds the members of `other`, keeping the result canonical.
        mutating func formUnion(_ other: Container) {
            switch (isBitmap, other.isBitmap) {
            case (true, true):
                var newCardinality = 0
                words.withUnsafeMutableBufferPointer { mine in
                    other.words.withUnsafeBufferPointer { theirs in
                        for index in 0..<OrdinalBitmap.bitmapWordCount {
                            let word = mine[index] | theirs[index]
                            mine[index] = word
                            newCardinality &+= word.nonzeroBitCount
                        }
                    }
                }
                cardinality = newCardinality

            case (true, false):
                cardinality += Container.setBits(of: other.values, in: &words)

            case (false, true):
                var grown = other.words
                let added = Container.setBits(of: values, in: &grown)
                self = Container(cardinality: other.cardinality + added, values: [], words: grown)

            case (false, false):
                // Merge first, then pick the form: two arrays with heavy overlap can stay an array.
                let merged = Container.mergeSortedDistinct(values, other.values)
                self = Container(sortedDistinct: merged)
            }
        }

        /// Sets the bits of `lows` in `words` and returns how many were not set before.
        static func setBits(of lows: [UInt16], in words: inout [UInt64]) -> Int {
            var added = 0
            words.withUnsafeMutableBufferPointer { words in
                for low in lows {
                    let wordIndex = Int(low &>> 6)
                    let bit: UInt64 = 1 &<< UInt64(low & 63)
                    let word = words[wordIndex]
                    if word & bit == 0 {
                        words[wordIndex] = word | bit
                        added &+= 1
                    }
                }
            }
            return added
        }

        /// The ascending, distinct union of two ascending, distinct arrays.
        static func mergeSortedDistinct(_ a: [UInt16], _ b: [UInt16]) -> [UInt16] {
            [UInt16](unsafeUninitializedCapacity: a.count + b.count) { output, written in
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        var i = 0
                        var j = 0
                        var k = 0
                        while i < a.count, j < b.count {
                            let x = a[i]
                            let y = b[j]
                            if x < y {
                                output.initializeElement(at: k, to: x)
                                i += 1
                            } else if y < x {
                                output.initializeElement(at: k, to: y)
                                j += 1
                            } else {
                                output.initializeElement(at: k, to: x)
                                i += 1
                                j += 1
                            }
                            k += 1
                        }
                        while i < a.count {
                            output.initializeElement(at: k, to: a[i])
                            i += 1
                            k += 1
                        }
                        while j < b.count {
                            output.initializeElement(at: k, to: b[j])
                            j += 1
                            k += 1
                        }
                        written = k
                    }
                }
            }
        }

        /// Appends `high | low` for every member, ascending.
        func appendMembers(high: UInt32, to result: inout [UInt32]) {
            if isBitmap {
                for (wordIndex, word) in words.enumerated() {
                    var remaining = word
                    while remaining != 0 {
                        let bit = remaining.trailingZeroBitCount
                        result.append(high | UInt32(wordIndex << 6 | bit))
                        remaining &= remaining &- 1
                    }
                }
            } else {
                for low in values {
                    result.append(high | UInt32(low))
                }
            }
        }

        /// The cardinality of the union of `containers`, all belonging to the same chunk key.
        ///
        /// `scratch` is a `bitmapWordCount`-word buffer owned by the caller and reused across chunks;
        /// `scratchIsDirty` tracks whether it may hold bits from an earlier call.
        static func unionCardinality(
            of containers: [Container],
            scratch: UnsafeMutablePointer<UInt64>,
            scratchIsDirty: inout Bool
        ) -> Int {
            if containers.count == 1 { return containers[0].cardinality }

            let fullChunk = OrdinalBitmap.bitmapWordCount * 64
            var firstBitmap: Int? = nil
            for (index, container) in containers.enumerated() {
                if container.cardinality == fullChunk { return fullChunk }
                if firstBitmap == nil, container.isBitmap { firstBitmap = index }
            }

            guard let firstBitmap else {
                // Only arrays: count distinct values by test-and-set, then clear just the words we touched.
                if scratchIsDirty {
                    scratch.update(repeating: 0, count: OrdinalBitmap.bitmapWordCount)
                    scratchIsDirty = false
                }
                var distinct = 0
                for container in containers {
                    for low in container.values {
                        let wordIndex = Int(low &>> 6)
                        let bit: UInt64 = 1 &<< UInt64(low & 63)
                        let word = scratch[wordIndex]
                        if word & bit == 0 {
                            scratch[wordIndex] = word | bit
                            distinct &+= 1
                        }
                    }
                }
                for container in containers {
                    for low in container.values {
                        scratch[Int(low &>> 6)] = 0
                    }
                }
                return distinct
            }

            // At least one bitmap: start from it, OR in the other bitmaps, set the array bits, then popcount.
            scratchIsDirty = true
            containers[firstBitmap].words.withUnsafeBufferPointer { first in
                scratch.update(from: first.baseAddress!, count: OrdinalBitmap.bitmapWordCount)
            }
            for (index, container) in containers.enumerated() where index != firstBitmap {
                if container.isBitmap {
                    container.words.withUnsafeBufferPointer { words in
                        for wordIndex in 0..<OrdinalBitmap.bitmapWordCount {
                            scratch[wordIndex] |= words[wordIndex]
                        }
                    }
                } else {
                    for low in container.values {
                        scratch[Int(low &>> 6)] |= 1 &<< UInt64(low & 63)
                    }
                }
            }
            var cardinality = 0
            for wordIndex in 0..<OrdinalBitmap.bitmapWordCount {
                cardinality &+= scratch[wordIndex].nonzeroBitCount
            }
            return cardinality
        }
    }
}

// MARK: - Binary format

extension OrdinalBitmap {
    /// Why bytes from ``init(serialized:)`` were rejected.
    ///
    /// Stored bitmaps outlive the code that wrote them and may be damaged, so decoding checks every length and ordering
    /// invariant and reports the first violation instead of trusting the input.
    public enum DecodingError: Error, Sendable, Equatable {
        /// The input ended before the structure it announced was complete (including empty input).
        case truncated
        /// The leading version byte names a format this code does not read.
        case unsupportedVersion(UInt8)
        /// The header announces more chunks than the 65 536 chunk keys that exist.
        case tooManyChunks(UInt32)
        /// A chunk key is not strictly greater than the one before it.
        case chunkKeysNotAscending(UInt16)
        /// An array chunk's values are not strictly ascending.
        case valuesNotAscending(chunk: UInt16)
        /// A bitmap chunk's set bits do not match the cardinality recorded for it.
        case cardinalityMismatch(chunk: UInt16)
        /// Bytes remain after the last announced chunk.
        case trailingBytes(Int)
    }

    /// The set in a compact little-endian binary form, readable by ``init(serialized:)``.
    ///
    /// Layout:
    /// - `UInt8` format version (currently 1);
    /// - `UInt32` number of chunks;
    /// - per chunk, in ascending key order: `UInt16` chunk key, `UInt16` cardinality − 1, then the payload:
    ///   - cardinality ≤ 4096: that many `UInt16` low halves, strictly ascending;
    ///   - cardinality > 4096: 1024 `UInt64` bitmap words.
    ///
    /// The container kind is not written: the canonical rule derives it from the cardinality, so a reader cannot be
    /// handed a non-canonical layout, and a bitmap's recorded cardinality doubles as a checksum of its bits.
    public func serialized() -> [UInt8] {
        var size = 1 + 4
        for container in containers {
            size += 4 + (container.isBitmap ? Self.bitmapWordCount * 8 : container.cardinality * 2)
        }
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initializedCount in
            let output = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            output.storeBytes(of: Self.formatVersion, toByteOffset: offset, as: UInt8.self)
            offset += 1
            output.storeBytes(of: UInt32(keys.count).littleEndian, toByteOffset: offset, as: UInt32.self)
            offset += 4
            for (key, container) in zip(keys, containers) {
                output.storeBytes(of: key.littleEndian, toByteOffset: offset, as: UInt16.self)
                output.storeBytes(
                    of: UInt16(container.cardinality - 1).littleEndian, toByteOffset: offset + 2, as: UInt16.self)
                offset += 4
                if container.isBitmap {
                    for word in container.words {
                        output.storeBytes(of: word.littleEndian, toByteOffset: offset, as: UInt64.self)
                        offset += 8
                    }
                } else {
                    for low in container.values {
                        output.storeBytes(of: low.littleEndian, toByteOffset: offset, as: UInt16.self)
                        offset += 2
                    }
                }
            }
            initializedCount = offset
        }
    }

    /// Decodes bytes produced by ``serialized()``, validating them completely.
    ///
    /// Arbitrary input never traps: every read is bounds-checked against what remains, nothing is allocated from an
    /// untrusted count before the bytes backing it are known to exist, and any inconsistency throws.
    public init(serialized bytes: some Collection<UInt8>) throws(OrdinalBitmap.DecodingError) {
        let decoded: Result<OrdinalBitmap, DecodingError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Self.decode(UnsafeRawBufferPointer(buffer))
        }
        switch decoded ?? Array(bytes).withUnsafeBytes({ Self.decode($0) }) {
        case .success(let bitmap): self = bitmap
        case .failure(let error): throw error
        }
    }

    /// The bounds-checked cursor the decoder reads through.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var remaining: Int { bytes.count - offset }

        mutating func need(_ byteCount: Int) throws(DecodingError) {
            if remaining < byteCount { throw .truncated }
        }

        mutating func readUInt8() throws(DecodingError) -> UInt8 {
            try need(1)
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func readUInt16() throws(DecodingError) -> UInt16 {
            try need(2)
            defer { offset += 2 }
            return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        }

        mutating func readUInt32() throws(DecodingError) -> UInt32 {
            try need(4)
            defer { offset += 4 }
            return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        }
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<OrdinalBitmap, DecodingError> {
        do throws(DecodingError) {
            return .success(try decodeThrowing(bytes))
        } catch {
            return .failure(error)
        }
    }

    private static func decodeThrowing(_ bytes: UnsafeRawBufferPointer) throws(DecodingError) -> OrdinalBitmap {
        var reader = Reader(bytes: bytes)
        let version = try reader.readUInt8()
        guard version == formatVersion else { throw .unsupportedVersion(version) }
        let chunkCount = try reader.readUInt32()
        guard chunkCount <= 1 << 16 else { throw .tooManyChunks(chunkCount) }
        // Each chunk needs at least six bytes, so the reservation is bounded by the input actually present.
        try reader.need(Int(chunkCount) * 6)

        var result = OrdinalBitmap()
        result.keys.reserveCapacity(Int(chunkCount))
        result.containers.reserveCapacity(Int(chunkCount))

        for _ in 0..<chunkCount {
            let key = try reader.readUInt16()
            if let previous = result.keys.last, previous >= key { throw .chunkKeysNotAscending(key) }
            let cardinality = Int(try reader.readUInt16()) + 1

            if cardinality <= arrayLimit {
                try reader.need(cardinality * 2)
                let base = reader.offset
                let values = [UInt16](unsafeUninitializedCapacity: cardinality) { output, written in
                    for index in 0..<cardinality {
                        output.initializeElement(
                            at: index,
                            to: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: base + index * 2, as: UInt16.self)))
                    }
                    written = cardinality
                }
                for index in 1..<cardinality where values[index - 1] >= values[index] {
                    throw .valuesNotAscending(chunk: key)
                }
                reader.offset += cardinality * 2
                result.containers.append(Container(cardinality: cardinality, values: values, words: []))
            } else {
                try reader.need(bitmapWordCount * 8)
                let base = reader.offset
                var setBits = 0
                let words = [UInt64](unsafeUninitializedCapacity: bitmapWordCount) { output, written in
                    for index in 0..<bitmapWordCount {
                        let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: base + index * 8, as: UInt64.self))
                        output.initializeElement(at: index, to: word)
                        setBits &+= word.nonzeroBitCount
                    }
                    written = bitmapWordCount
                }
                guard setBits == cardinality else { throw .cardinalityMismatch(chunk: key) }
                reader.offset += bitmapWordCount * 8
                result.containers.append(Container(cardinality: cardinality, values: [], words: words))
            }
            result.keys.append(key)
        }

        guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining) }
        return result
    }
}

// MARK: - Test support

extension OrdinalBitmap {
    /// How one chunk is stored; exposed to the module (and `@testable` tests) to check the canonical-form rule.
    struct ChunkLayout: Sendable, Equatable {
        var key: UInt16
        var isBitmap: Bool
        var cardinality: Int
    }

    /// The storage form of every chunk, in key order.
    var chunkLayout: [ChunkLayout] {
        zip(keys, containers).map { ChunkLayout(key: $0, isBitmap: $1.isBitmap, cardinality: $1.cardinality) }
    }
}
