import Testing
import TallyDomain

/// The percentile histogram: its estimates stay within the documented 1 % of the exact
/// nearest-rank percentile, and merging or taking away histograms is exact.
@Suite("Log histogram")
struct LogHistogramTests {
    /// Values from 0 ms to about 11 days, log-uniform, with repeats.
    static func values(seed: UInt64, count: Int) -> [Int64] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            if random.chance(0.05) { return 0 }
            let digits = random.int(in: 0...9)
            var value: Int64 = 1
            for _ in 0..<digits { value *= 10 }
            return value + Int64(random.int(in: 0...Int(value) * 9))
        }
    }

    /// The exact nearest-rank percentile: the smallest v with at least p % of the values ≤ v.
    static func exact(_ sorted: [Int64], _ percent: Int) -> Int64 {
        let rank = (percent * sorted.count + 99) / 100
        return sorted[max(rank, 1) - 1]
    }

    @Test("every percentile 1...100 lies within 1 % of the exact one", arguments: [1, 2, 3, 10, 1_000, 20_000])
    func errorBound(count: Int) {
        let values = Self.values(seed: UInt64(count), count: count)
        var histogram = LogHistogram()
        for value in values { histogram.add(value) }
        #expect(histogram.count == Int64(count))
        let sorted = values.sorted()
        for percent in 1...100 {
            let exact = Double(Self.exact(sorted, percent))
            let estimate = try! #require(histogram.percentile(percent))
            #expect(abs(estimate - exact) <= LogHistogram.relativeAccuracy * exact * (1 + 1e-12), "p\(percent) of \(count): \(estimate) vs \(exact)")
        }
    }

    @Test("merging equals counting everything in one; taking away undoes it, down to the bytes")
    func mergeAndSubtract() throws {
        let a = Self.values(seed: 1, count: 500)
        let b = Self.values(seed: 2, count: 300)
        var left = LogHistogram(), right = LogHistogram(), both = LogHistogram()
        for value in a { left.add(value); both.add(value) }
        for value in b { right.add(value); both.add(value) }
        var merged = left
        merged.add(right)
        #expect(merged == both)
        #expect(merged.serialized() == both.serialized())
        merged.add(right, sign: -1)
        #expect(merged == left)
        merged.add(left, sign: -1)
        #expect(merged.isEmpty && merged == LogHistogram() && merged.percentile(50) == nil)
        for value in a { merged.add(value, times: 2) }
        for value in a { merged.add(value, times: -1) }
        #expect(merged == left)
    }

    @Test("serialized bytes read back, and damaged ones are refused")
    func serialization() throws {
        var histogram = LogHistogram()
        for value in Self.values(seed: 3, count: 1_000) { histogram.add(value) }
        let bytes = histogram.serialized()
        #expect(try LogHistogram(serialized: bytes) == histogram)
        #expect(try LogHistogram(serialized: LogHistogram().serialized()) == LogHistogram())
        #expect(throws: VarintCoding.DecodingError.self) { try LogHistogram(serialized: bytes.dropLast()) }
        #expect(throws: VarintCoding.DecodingError.self) { try LogHistogram(serialized: [9] + bytes.dropFirst()) }
        #expect(throws: VarintCoding.DecodingError.self) { try LogHistogram(serialized: bytes + [0]) }
        #expect(throws: VarintCoding.DecodingError.self) { try LogHistogram(serialized: []) }
    }

    @Test("small values are exact; 0 has a bucket of its own")
    func smallValues() {
        var histogram = LogHistogram()
        for value: Int64 in [0, 0, 1, 2, 3] { histogram.add(value) }
        #expect(histogram.percentile(40) == 0)
        #expect(abs(histogram.percentile(60)! - 1) <= 0.01)
        #expect(abs(histogram.percentile(100)! - 3) <= 0.03)
    }
}
