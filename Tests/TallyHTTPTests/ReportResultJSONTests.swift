import Foundation
import Testing
import TallyDomain
@testable import TallyHTTP

/// The fetch route's hand-written JSON, judged by Foundation: `JSONSerialization` must read it,
/// and read the same document as from `JSONEncoder`'s encoding of the same result.
@Suite("Report result JSON")
struct ReportResultJSONTests {
    static let hostile = ["bot \"quoted\"", "back\\slash", "line\nbreak\r\ttab", "nul\u{0}bell\u{7}esc\u{1B}", "</script><b>&amp;",
                          "=HYPERLINK(\"x\")", "emoji 🤖 and é", "\u{2028}\u{2029}", "slash/es", ""]

    static func results() -> [ReportResult] {
        let numbers: [ReportNumber] = [.count(0), .count(-7), .count(9_223_372_036_854_775_807), .hundredths(0), .hundredths(5),
                                       .hundredths(-5), .hundredths(150), .hundredths(-150), .hundredths(199), .hundredths(123_456_789)]
        var results: [ReportResult] = []
        for (index, number) in numbers.enumerated() {
            var result = ReportResult(value: number, change: numbers[(index + 3) % numbers.count], period: "\(index)d",
                                      breakdown: (0..<index).map { .init(date: "2026-01-\(10 + $0)", total: numbers[($0 + index) % numbers.count]) })
            if index % 2 == 0 {
                result.groups = hostile.enumerated().map { .init(key: $1, value: numbers[$0 % numbers.count], change: .hundredths(Int64($0) - 3)) }
            }
            if index % 3 == 0 { result.heatmap = (0..<7).map { day in (0..<24).map { Int64(day * 24 + $0) } } }
            if index % 4 == 0 {
                result.percentiles = .init(p50: .hundredths(1), p90: .hundredths(10), p99: .count(3))
                result.count = Int64(index)
            }
            if index % 5 == 0 { result.buckets = ["0", "1", "2-3", "4-10", ">10"].map { .init(bucket: $0, total: 4) } }
            if index % 3 == 1 {
                result.timeZone = hostile[index % hostile.count]
                result.pendingTimeZone = "America/New_York"
            }
            results.append(result)
        }
        return results
    }

    @Test("every shape, with hostile strings, reads back as the same document as JSONEncoder's")
    func matchesFoundation() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for result in Self.results() {
            let written = Data(ReportResultJSON.encode(result))
            let mine = try JSONSerialization.jsonObject(with: written) as? NSDictionary
            let foundation = try JSONSerialization.jsonObject(with: try encoder.encode(result)) as? NSDictionary
            #expect(mine != nil && mine == foundation, "\(String(decoding: written, as: UTF8.self))")
            // Sorted keys and no raw control character, as the route's other answers are written.
            let text = String(decoding: written, as: UTF8.self)
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 })
            let keys = (mine?.allKeys as? [String]) ?? []
            #expect(text.hasPrefix("{\"\(keys.sorted().first ?? "")\""))
        }
    }
}
