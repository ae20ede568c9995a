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
    /// Counts by bucket index; a bucket whose count returns to 0 is removed, so equal contents are
    /// equal values and serialize to equal bytes.
    public private(set) var buckets: [Int: Int64] = [:]

    public init() {}

    /// The number of values counted.
    public var count: Int64 { buckets.values.reduce(zeroCount, +) }

    public var isEmpty: Bool { zeroCount == 0 && buckets.isEmpty }

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
        let updated = buckets[index, default: 0] + times
        buckets[index] = updated == 0 ? nil : updated
    }

    /// Adds every count of `other`, multiplied by `sign` (1 to merge, −1 to take away).
    public mutating func add(_ other: LogHistogram, sign: Int64 = 1) {
        zeroCount += sign * other.zeroCount
        for (index, count) in other.buckets {
            let updated = buckets[index, default: 0] + sign * count
            buckets[index] = updated == 0 ? nil : updated
        }
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
        for index in buckets.keys.sorted() {
            seen += buckets[index]!
            if seen >= rank { return Self.representative(ofBucket: index) }
        }
        return Self.representative(ofBucket: buckets.keys.max()!)
    }

    /// The layout version written first by ``serialized()``.
    static let formatVersion: UInt8 = 1

    /// Version byte, zigzag zero count, bucket count, then per bucket in ascending order the index
    /// step from the previous bucket and the count (varints).
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = [Self.formatVersion]
        VarintCoding.append(zeroCount, to: &bytes)
        VarintCoding.appendUnsigned(UInt64(buckets.count), to: &bytes)
        var previous = 0
        for index in buckets.keys.sorted() {
            VarintCoding.appendUnsigned(UInt64(index - previous), to: &bytes)
            VarintCoding.append(buckets[index]!, to: &bytes)
            previous = index
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
        var index = 0
        for position in 0..<Int(bucketCount) {
            let step = try reader.unsigned()
            guard step < UInt64(Self.upperBounds.count), position == 0 || step > 0 else { throw .invalid("bucket indexes not ascending") }
            index += Int(step)
            guard index < Self.upperBounds.count else { throw .invalid("bucket \(index) out of range") }
            let count = try reader.signed()
            guard count != 0 else { throw .invalid("an empty bucket") }
            buckets[index] = count
        }
        try reader.finish()
    }
}
