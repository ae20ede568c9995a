import Foundation
import Testing
import TallyTestSupport
import TallyDomain

/// `CronSchedule` and `SchedulePreview` against an independent model: `tools/cron-model`, a Python
/// program that walks every local minute with `zoneinfo` and resolves gaps and overlaps by probing
/// both folds. The windows are the model's own: a few days around every change of UTC offset in
/// 2026 and 2027 of each zone (fixed dates for zones without DST), and the turn of the year.
@Suite("Cron schedules against an independent model")
struct CronModelTests {
    static let zones = [
        "America/New_York", "Europe/Berlin", "Europe/London", "Australia/Sydney", "America/Sao_Paulo",
        "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham",
    ]
    static let expressions = [
        "0 2 * * *", "30 2 * * *", "0 1 * * SUN", "*/15 1-3 * * *", "0 0 1 * *", "15 2 8-14 3 SUN",
        "45 2 * * *", "0 3 * * *", "*/30 * * * *", "0 0 1,15 * MON", "5 1,2,3 * jan-dec sun-sat", "0 0 */2 * 0",
    ]

    struct Answer: Decodable {
        let model: String
        let cases: [Case]
    }

    struct Case: Decodable {
        let zone: String
        let cron: String
        let transition: Int64?
        let from: Int64
        let to: Int64
        let fires: [Fire]
    }

    struct Fire: Decodable {
        let epoch: Int64
        let at: String
        let local: String
    }

    @Test("fire instants and their local forms equal the model's around every 2026–2027 DST change")
    func matchesModel() throws {
        let request: [String: Any] = ["zones": Self.zones, "expressions": Self.expressions, "years": [2026, 2027], "halfWindowDays": 2]
        let answer = try JSONDecoder().decode(Answer.self, from: try ModelRunner.run(JSONSerialization.data(withJSONObject: request)))
        var compared = 0, transitions = Set<String>(), gapOrOverlapFires = 0
        for modelCase in answer.cases {
            let clock = try #require(LocalClock(timeZoneIdentifier: modelCase.zone))
            let schedule = CronSchedule(try CronExpression(parsing: modelCase.cron), in: clock)
            let preview = SchedulePreview(schedule, after: modelCase.from * 1000, count: modelCase.fires.count + 1)
            let inWindow = preview.fires.filter { RFC3339.epochMilliseconds($0.at)! <= modelCase.to * 1000 }
            let expected = modelCase.fires.map { SchedulePreview.Fire(at: $0.at, local: $0.local) }
            #expect(inWindow == expected, "\(modelCase.zone) '\(modelCase.cron)' from \(modelCase.from) to \(modelCase.to)")
            #expect(schedule.fireInstants(after: modelCase.from * 1000, count: modelCase.fires.count).filter { $0 <= modelCase.to * 1000 }
                        == modelCase.fires.map { $0.epoch * 1000 })
            compared += modelCase.fires.count
            if let transition = modelCase.transition {
                transitions.insert("\(modelCase.zone)@\(transition)")
                gapOrOverlapFires += modelCase.fires.filter { abs($0.epoch - transition) < 4 * 3600 }.count
            }
        }
        print("cron model (\(answer.model)): compared \(compared) fire instants in \(answer.cases.count) windows over \(transitions.count) DST changes of \(Self.zones.count) zones, \(gapOrOverlapFires) of them within 4 hours of a change")
        // Every zone with DST has its two changes a year; those without have none.
        for zone in Self.zones {
            let changes = transitions.filter { $0.hasPrefix(zone + "@") }.count
            let expected = ["America/Sao_Paulo", "Asia/Kolkata"].contains(zone) ? 0 : 4
            #expect(changes == expected, "\(zone)")
        }
        #expect(compared > 5_000)
        #expect(gapOrOverlapFires > 500)
    }
}

/// Runs `tools/cron-model` with the repository's `.venv` Python (installed by `tools/setup`) on a
/// request written to a temporary file.
enum ModelRunner {
    static func run(_ request: Data) throws -> Data {
        try VenvPython.run([VenvPython.tool("cron-model")], input: request)
    }
}
