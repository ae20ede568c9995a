import Foundation
import Testing
import TallyTestSupport

/// `GET /metrics` read back by `prometheus_client`'s text parser (`tools/metrics-parse`, run with
/// the interpreter of the project's `.venv`, where tools/setup installs prometheus-client): a
/// reader of the exposition that Tally did not write.
struct ParsedMetrics {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var type: String
        var samples: [Sample]
    }

    var families: [String: Family]

    /// The samples named `name` (a family's own name, or one of its `_bucket`/`_count`/`_sum`)
    /// whose labels include `labels`.
    func samples(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        families.values.flatMap(\.samples).filter { sample in
            sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value }
        }
    }

    /// The sum of those samples' values.
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples(name, labels).reduce(0) { $0 + $1.value }
    }

    static func parse(_ text: String) throws -> ParsedMetrics {
        let data = try VenvPython.run([VenvPython.tool("metrics-parse")], input: Data(text.utf8))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let families = try #require(json["families"] as? [String: [String: Any]])
        return ParsedMetrics(families: families.mapValues { family in
            Family(type: family["type"] as? String ?? "", samples: (family["samples"] as? [[String: Any]] ?? []).map { sample in
                Sample(name: sample["name"] as? String ?? "", labels: sample["labels"] as? [String: String] ?? [:],
                       value: (sample["value"] as? NSNumber)?.doubleValue ?? .nan)
            })
        })
    }
}
