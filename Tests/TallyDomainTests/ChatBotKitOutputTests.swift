import Foundation
import Testing
import TallyDomain

@Suite("ChatBotKit's output shapes")
struct ChatBotKitOutputTests {
    static let result = ReportResult(value: .hundredths(167), change: .hundredths(-33), period: "last 2 days", breakdown: [
        .init(date: "2026-03-14", total: .hundredths(200)), .init(date: "2026-03-15", total: .hundredths(150)),
    ])

    static func encoded(_ output: ChatBotKitOutput) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(output)) as? [String: Any])
    }

    @Test("counts carry every field, averages only value and period, Total Contacts is all time")
    func shapes() throws {
        let full = try Self.encoded(ChatBotKitOutput(Self.result, as: .periodWithBreakdown))
        #expect(Set(full.keys) == ["value", "change", "period", "breakdown"])
        #expect(full["change"] as? Double == -0.33)
        #expect((full["breakdown"] as? [[String: Any]])?.count == 2)

        let average = try Self.encoded(ChatBotKitOutput(Self.result, as: .periodValue))
        #expect(Set(average.keys) == ["value", "period"])
        #expect(average["value"] as? Double == 1.67)
        #expect(average["period"] as? String == "last 2 days")

        let allTime = try Self.encoded(ChatBotKitOutput(Self.result, as: .allTime))
        #expect(Set(allTime.keys) == ["value", "period"])
        #expect(allTime["period"] as? String == "all time")
    }

    @Test("every catalog report has a shape by its metric; only Total Contacts reads userId")
    func catalogShapes() throws {
        for report in ReportCatalog.all {
            let shape = ChatBotKitShape(report.metric)
            switch report.metric {
            case .totalContacts:
                #expect(shape == .allTime)
                #expect(shape.inputProperties == ["userId"])
                #expect(shape.requiresUserId)
            case .averagePerConversation, .percentage, .engagementRate, .abandonmentRate:
                #expect(shape == .periodValue)
                #expect(shape.inputProperties == ["periodDays"])
            case .counter, .distinct, .returningContacts, .hourlyActivity, .firstResponseTime, .conversationDuration, .conversationDepth:
                #expect(shape == .periodWithBreakdown)
                #expect(!shape.requiresUserId)
            }
        }
    }

    @Test("a period ends today; an all-time answer reads the one day ending today, whatever the period")
    func windows() {
        let today = Day(iso: "2026-03-15")!
        #expect(ChatBotKitShape.periodWithBreakdown.window(periodDays: 7, today: today) == ReportWindow(periodDays: 7, end: today))
        #expect(ChatBotKitShape.periodValue.window(periodDays: 30, today: today) == ReportWindow(periodDays: 30, end: today))
        #expect(ChatBotKitShape.allTime.window(periodDays: 30, today: today) == ReportWindow(periodDays: 1, end: today))
    }
}
