import Foundation
import Testing
import TallyTestSupport

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The tenant routes and the zone labels of report answers, over HTTP, as the tenant zone tests
/// read them: the raw JSON, since what matters is which zone an answer says it is in.
enum TenantZoneHTTP {
    /// One answer: status and decoded JSON object (empty when the body is not one).
    struct Answer {
        var status: Int
        var json: [String: Any]

        var state: String? { json["state"] as? String }
        var activeTimeZone: String? { json["activeTimeZone"] as? String }
        /// An error answer's `code` and `message` (the body of a failed route is `{"message","code"}`).
        var errorCode: String? { json["code"] as? String }
        var errorMessage: String { json["message"] as? String ?? "\(json)" }
    }

    static func put(port: Int, secret: String, userId: String, body: String) async throws -> Answer {
        try await send(port: port, secret: secret, method: "PUT", path: "/api/v1/platform/tenants/\(userId)", body: body)
    }

    static func get(port: Int, secret: String, userId: String) async throws -> Answer {
        try await send(port: port, secret: secret, method: "GET", path: "/api/v1/platform/tenants/\(userId)", body: nil)
    }

    /// `POST …/report/{id}/fetch`: the answer's figures in the oracle's form, with its zone labels.
    static func report(port: Int, secret: String, reportId: String, body: String) async throws
        -> (expected: ReportOracle.Expected, timeZone: String?, pendingTimeZone: String?) {
        let answer = try await send(port: port, secret: secret, method: "POST", path: "/api/v1/report/\(reportId)/fetch", body: body)
        try #require(answer.status == 200, "HTTP \(answer.status): \(answer.json)")
        return (HTTPFetch.expected(json: answer.json), answer.json["timeZone"] as? String, answer.json["pendingTimeZone"] as? String)
    }

    static func send(port: Int, secret: String, method: String, path: String, body: String?) async throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, json: json)
    }

    /// Polls the tenant until its state is `active` (at most `timeout`), calling `observe` with
    /// every answer on the way; returns the `active` answer.
    static func waitUntilActive(port: Int, secret: String, userId: String, timeout: Duration,
                                observe: (Answer) async throws -> Void = { _ in }) async throws -> Answer {
        let deadline = ContinuousClock.now + timeout
        var last: Answer?
        while ContinuousClock.now < deadline {
            let answer = try await get(port: port, secret: secret, userId: userId)
            try await observe(answer)
            if answer.status == 200, answer.state == "active" { return answer }
            last = answer
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(userId) did not become active within \(timeout); last answer: \(last.map { "\($0.status) \($0.json)" } ?? "none")")
        throw CancellationError()
    }
}
