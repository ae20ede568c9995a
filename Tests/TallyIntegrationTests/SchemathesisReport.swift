import Foundation

/// Reads schemathesis's NDJSON event report (`--report ndjson`): one JSON event a line. Every
/// finished scenario carries the requests it sent (`recorder.interactions`) and the result of each
/// check on each case (`recorder.checks`); errors of the run itself are events of their own.
enum SchemathesisReport {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The requests sent and the failures, one line each, a repeated failure (same operation,
    /// check and first line of its message) said once.
    static func outcome(ndjson: String) throws -> OpenAPIFuzzTests.FuzzOutcome {
        var outcome = OpenAPIFuzzTests.FuzzOutcome()
        var seen = Set<String>()
        var finishedEngine = false
        for line in ndjson.split(separator: "\n") where !line.isEmpty {
            guard let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let (kind, body) = event.first else {
                throw Malformed(description: "not a JSON object: \(line.prefix(200))")
            }
            if kind == "EngineFinished" { finishedEngine = true }
            if kind.hasSuffix("Error") {
                let text = String(describing: body)
                if seen.insert(text).inserted { outcome.failures.append("\(kind): \(text.prefix(600))") }
                continue
            }
            guard kind == "ScenarioFinished", let scenario = body as? [String: Any], let recorder = scenario["recorder"] as? [String: Any] else { continue }
            let label = recorder["label"] as? String ?? "?"
            outcome.requests += (recorder["interactions"] as? [String: Any])?.count ?? 0
            for case let checks as [[String: Any]] in (recorder["checks"] as? [String: Any] ?? [:]).values {
                for check in checks where check["status"] as? String != "success" {
                    let failure = (check["failure_info"] as? [String: Any])?["failure"] as? [String: Any]
                    let operation = failure?["operation"] as? String ?? label
                    let message = (failure?["message"] as? String ?? "").split(separator: "\n").first.map(String.init) ?? ""
                    let text = "\(operation): \(check["name"] as? String ?? "?") \(failure?["title"] as? String ?? "") — \(message)"
                    if seen.insert(text).inserted { outcome.failures.append(text) }
                }
            }
        }
        if !finishedEngine { outcome.failures.append("the report has no EngineFinished event: the run did not complete") }
        return outcome
    }
}
