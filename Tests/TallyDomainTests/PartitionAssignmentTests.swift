import Foundation
import Testing
import TallyDomain

/// An instance may answer reports only when it holds every partition of every topic it consumes;
/// anything less, or anything it cannot confirm, must refuse.
@Suite("Partition assignment")
struct PartitionAssignmentTests {
    private let counts = ["conversations": 2, "messages": 3, "ratings": 1]

    private func partitions(_ names: String...) -> [PartitionAssignment.Partition] {
        names.map { name in
            let open = name.firstIndex(of: "[")!
            return PartitionAssignment.Partition(topic: String(name[..<open]), partition: Int32(name[name.index(after: open)...].dropLast())!)
        }
    }

    @Test("every partition of every topic is complete and answers reports")
    func complete() {
        let all = partitions("ratings[0]", "messages[2]", "messages[0]", "messages[1]", "conversations[1]", "conversations[0]")
        let assignment = PartitionAssignment(assigned: all, partitionCounts: counts)
        #expect(assignment.state == .complete)
        #expect(!assignment.refusesReports)
        #expect(assignment.missing.isEmpty)
        #expect(assignment.assigned.map(\.description)
            == ["conversations[0]", "conversations[1]", "messages[0]", "messages[1]", "messages[2]", "ratings[0]"])
    }

    @Test("a share of the partitions is partial and names what is missing")
    func partial() {
        let assignment = PartitionAssignment(assigned: partitions("conversations[0]", "messages[0]", "messages[1]", "ratings[0]"),
                                             partitionCounts: counts)
        #expect(assignment.state == .partial)
        #expect(assignment.refusesReports)
        #expect(assignment.missing.map(\.description) == ["conversations[1]", "messages[2]"])
        let reason = assignment.refusalReason()
        #expect(reason.contains("4 partitions (conversations[0], messages[0], messages[1], ratings[0])"))
        #expect(reason.contains("not conversations[1], messages[2]"))
    }

    @Test("no partition at all, while the topics have partitions, is partial")
    func emptyAssignment() {
        let assignment = PartitionAssignment(assigned: [], partitionCounts: counts)
        #expect(assignment.state == .partial)
        #expect(assignment.missing.count == 6)
        #expect(assignment.refusalReason().contains("assigned no partition"))
    }

    @Test("a topic the broker does not know has nothing to miss")
    func unknownTopic() {
        let assignment = PartitionAssignment(assigned: partitions("messages[0]"), partitionCounts: ["messages": 1, "ratings": 0])
        #expect(assignment.state == .complete)
    }

    @Test("an assigned partition beyond the topic's count means stale counts: unknown, refused")
    func staleCounts() {
        let assignment = PartitionAssignment(assigned: partitions("ratings[0]", "ratings[1]"), partitionCounts: ["ratings": 1])
        #expect(assignment.state == .unknown)
        #expect(assignment.refusesReports)
        #expect(assignment.assigned.count == 2)
    }

    @Test("before the first assignment reports are answered; an unconfirmed assignment refuses")
    func pendingAndUnconfirmed() {
        #expect(!PartitionAssignment.pending.refusesReports)
        let unconfirmed = PartitionAssignment.unconfirmed(assigned: partitions("messages[1]", "messages[0]"))
        #expect(unconfirmed.state == .unknown)
        #expect(unconfirmed.refusesReports)
        #expect(unconfirmed.assigned.map(\.description) == ["messages[0]", "messages[1]"])
        #expect(unconfirmed.refusalReason().contains("could not confirm"))
    }

    @Test("a long list is cut in the message")
    func longList() {
        let assignment = PartitionAssignment(assigned: [], partitionCounts: ["big": 100])
        let reason = assignment.refusalReason(limit: 3)
        #expect(reason.contains("big[0], big[1], big[2] and 97 more"))
    }

    @Test("encodes as state, assigned and missing with partitions written topic[n]")
    func encoding() throws {
        let assignment = PartitionAssignment(assigned: partitions("messages[0]"), partitionCounts: ["messages": 2])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(assignment), as: UTF8.self)
        #expect(json == #"{"assigned":["messages[0]"],"missing":["messages[1]"],"state":"partial"}"#)
        var status = IngestStatus(state: "consuming")
        #expect(status.assignment == .pending)
        status.assignment = assignment
        let object = try #require(try JSONSerialization.jsonObject(with: try encoder.encode(status)) as? [String: Any])
        #expect((object["assignment"] as? [String: Any])?["state"] as? String == "partial")
    }
}
