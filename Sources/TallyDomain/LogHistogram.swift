/// A mergeable histogram of non-negative integer durations (milliseconds) in logarithmic buckets,
/// after DDSketch: the per-day structure behind First Response Time and Conversation Duration.
///
/// Bucket `i` holds the values in (γ^(i−1), γ^i] with γ = (1 + α) / (1 − α) and α = 0.01; 0 has
/// a bucket of its own. A bucket stands for 2γ^i / (γ + 1), which lies within α of every value in
/// it, so any percentile read from the histogram is within 1 % (relative) of the exact percentile
/// of the values counted: the k-th smallest value lies in the bucket the walk stops at.
///
/// Counts only add, so days merge by adding buckets, a conversation whose figure changes is moved
/// by subtracting its old value and adding its new one, and a 365-day period reads 365 small
/// histograms however many conversations they summarize. Boundaries are powers of γ computed by
/// repeated multiplication (no `log`), so every platform puts a value in the same bucket and two
/// stores built from the same events hold the same bytes.
public struct LogHistogram: Sendable, Equatable {
    /// The relative error bound α of every estimated value.
    public static let relativeAccuracy = 0.01
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)

    /// `upperBounds[i]` = γ^i, up to the first bound above the largest Int64.
    static let upperBounds: [Double] = {
        var bounds: [Double] = [1]
        while bounds[bounds.count - 1] < 9.3e18 { bounds.append(bounds[bounds.count - 1] * gamma) }
        return bounds
    }()

    /// Values equal to 0.
    public private(set) var zeroCount: Int64 = 0
    /// Counts of buckets `firstIndex`, `firstIndex + 1`, …: dense, because a period's report adds
    /// hundreds of days' histograms element by element. Trimmed of zeros at both ends (and
    /// `firstIndex` 0 when empty), so equal contents are equal values and serialize to equal bytes.
    private var firstIndex = 0
    private var counts: [Int64] = []

    public init() {}

    /// The number of values counted.
    public var count: Int64 { counts.reduce(zeroCount, +) }

    public var isEmpty: Bool { zeroCount == 0 && counts.isEmpty }

    /// The buckets that hold values, ascending by index.
    public var nonEmptyBuckets: [(index: Int, count: Int64)] {
        counts.indices.compactMap { counts[$0] == 0 ? nil : (firstIndex + $0, counts[$0]) }
    }

    /// The bucket holding `value` (≥ 1): the smallest i with γ^i ≥ value.
    static func bucketIndex(of value: Int64) -> Int {
        let target = Double(value)
        var low = 0
        var high = upperBounds.count - 1
        while low < high {
            let middle = (low + high) / 2
            if upperBounds[middle] >= target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The value bucket `index` stands for: within α of every value in it.
    static func representative(ofBucket index: Int) -> Double {
        2 * upperBounds[index] / (gamma + 1)
    }

    /// Counts `value` (negative values are a caller's bug and count as 0) `times` times; a negative
    /// `times` removes it.
    public mutating func add(_ value: Int64, times: Int64 = 1) {
        if value <= 0 {
            zeroCount += times
            return
        }
        let index = Self.bucketIndex(of: value)
        cover(index...index)
        counts[index - firstIndex] += times
        trim()
    }

    /// Adds every count of `other`, multiplied by `sign` (1 to merge, −1 to take away).
    public mutating func add(_ other: LogHistogram, sign: Int64 = 1) {
        zeroCount += sign * other.zeroCount
        guard !other.counts.isEmpty else { return }
        cover(other.firstIndex...(other.firstIndex + other.counts.count - 1))
        let offset = other.firstIndex - firstIndex
        for position in other.counts.indices { counts[offset + position] += sign * other.counts[position] }
        trim()
    }

    /// Widens `counts` to hold the buckets of `range`.
    private mutating func cover(_ range: ClosedRange<Int>) {
        if counts.isEmpty {
            firstIndex = range.lowerBound
            counts = Array(repeating: 0, count: range.count)
            return
        }
        if range.lowerBound < firstIndex {
            counts.insert(contentsOf: repeatElement(0, count: firstIndex - range.lowerBound), at: 0)
            firstIndex = range.lowerBound
        }
        let last = firstIndex + counts.count - 1
        if range.upperBound > last { counts.append(contentsOf: repeatElement(0, count: range.upperBound - last)) }
    }

    private mutating func trim() {
        guard let first = counts.firstIndex(where: { $0 != 0 }), let last = counts.lastIndex(where: { $0 != 0 }) else {
            counts = []
            firstIndex = 0
            return
        }
        if first == 0 && last == counts.count - 1 { return }
        counts = Array(counts[first...last])
        firstIndex += first
    }

    /// The nearest-rank `percent`-th percentile: the smallest counted value v such that at least
    /// `percent` % of the values are ≤ v (rank ⌈percent·n / 100⌉), estimated within α. Nil when
    /// nothing is counted.
    public func percentile(_ percent: Int) -> Double? {
        precondition((1...100).contains(percent), "a percentile is 1...100")
        let total = count
        guard total > 0 else { return nil }
        let rank = (Int64(percent) * total + 99) / 100
        if rank <= zeroCount { return 0 }
        var seen = zeroCount
        for position in counts.indices {
            seen += counts[position]
            if seen >= rank { return Self.representative(ofBucket: firstIndex + position) }
        }
        return Self.representative(ofBucket: firstIndex + counts.count - 1)
    }

    /// The layout version written first by ``serialized()``.
    static let formatVersion: UInt8 = 1

    /// Version byte, zigzag zero count, bucket count, then per bucket in ascending order the index
    /// step from the previous bucket and the count (varints).
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = [Self.formatVersion]
        VarintCoding.append(zeroCount, to: &bytes)
        let buckets = nonEmptyBuckets
        VarintCoding.appendUnsigned(UInt64(buckets.count), to: &bytes)
        var previous = 0
        for bucket in buckets {
            VarintCoding.appendUnsigned(UInt64(bucket.index - previous), to: &bytes)
            VarintCoding.append(bucket.count, to: &bytes)
            previous = bucket.index
        }
        return bytes
    }

    /// Reads bytes written by ``serialized()``, checking every invariant.
    public init(serialized bytes: some Collection<UInt8>) throws(VarintCoding.DecodingError) {
        var reader = VarintCoding.Reader(bytes)
        let version = try reader.byte()
        guard version == Self.formatVersion else { throw .unsupportedVersion(version) }
        zeroCount = try reader.signed()
        let bucketCount = try reader.unsigned()
        guard bucketCount <= UInt64(Self.upperBounds.count) else { throw .invalid("\(bucketCount) buckets") }
        var buckets: [(index: Int, count: Int64)] = []
        var index = 0
        for position in 0..<Int(bucketCount) {
            let step = try reader.unsigned()
            guard step < UInt64(Self.upperBounds.count), position == 0 || step > 0 else { throw .invalid("bucket indexes not ascending") }
            index += Int(step)
            guard index < Self.upperBounds.count else { throw .invalid("bucket \(index) out of range") }
            let count = try reader.signed()
            guard count != 0 else { throw .invalid("an empty bucket") }
            buckets.append((index, count))
        }
        try reader.finish()
        if let first = buckets.first, let last = buckets.last {
            firstIndex = first.index
            counts = Array(repeating: 0, count: last.index - first.index + 1)
            for bucket in buckets { counts[bucket.index - first.index] = bucket.count }
        }
    }
}
