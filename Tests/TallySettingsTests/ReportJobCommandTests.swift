import Foundation
import GRDB
import Testing
import TallySettings

/// Report jobs in the settings store: the commands' pinned JSON, the states they move a job
/// through, the list query, and the migration's name and place.
@Suite("Report job commands")
struct ReportJobCommandTests {
    static let hash = String(repeating: "cd", count: 32)

    static func request(_ id: String = "rpt_1", userId: String = "tenant-1", type: String = "usage", title: String = "January",
                        createdAt: Int64 = 1_767_225_600_000) -> ReportJob.Request {
        ReportJob.Request(id: id, userId: userId, type: type, format: "csv", title: title, sections: ["usage_summary"], startDate: "2026-01-01",
                          endDate: "2026-01-31", timeZone: "UTC", createdByKeyId: "key_0a1b2c3d4e5f", createdByKeyName: "ops",
                          createdAtMillis: createdAt)
    }

    static let completion = ReportJob.Completion(
        id: "rpt_1", completedAtMillis: 1_767_225_600_900, fileName: "rpt_1.csv", sizeBytes: 5120, sha256: hash,
        dataAsOf: .init(committedAtMillis: 1_767_225_599_000, offsets: [.init(topic: "events", partition: 0, nextOffset: 42)]))

    static let pinned: [(SettingsCommand, String)] = [
        (.createReportJob(request()),
         #"{"createdAtMillis":1767225600000,"createdByKeyId":"key_0a1b2c3d4e5f","createdByKeyName":"ops","endDate":"2026-01-31","format":"csv","includeCharts":true,"reportId":"rpt_1","reportType":"usage","sections":["usage_summary"],"startDate":"2026-01-01","timeZone":"UTC","title":"January","type":"createReportJob","userId":"tenant-1"}"#),
        (.startReportJob(id: "rpt_1", startedAtMillis: 1_767_225_600_100),
         #"{"reportId":"rpt_1","startedAtMillis":1767225600100,"type":"startReportJob"}"#),
        (.completeReportJob(completion),
         #"{"completedAtMillis":1767225600900,"dataAsOf":{"committedAtMillis":1767225599000,"offsets":[{"nextOffset":42,"partition":0,"topic":"events"}]},"fileName":"rpt_1.csv","reportId":"rpt_1","sha256":"\#(hash)","sizeBytes":5120,"type":"completeReportJob"}"#),
        (.failReportJob(id: "rpt_1", failedAtMillis: 9, error: "timed out after 600 s"),
         #"{"error":"timed out after 600 s","failedAtMillis":9,"reportId":"rpt_1","type":"failReportJob"}"#),
        (.deleteReportJob(id: "rpt_1", deletedAtMillis: 10), #"{"deletedAtMillis":10,"reportId":"rpt_1","type":"deleteReportJob"}"#),
        (.createReportTemplate(ReportTemplateRecord(id: "tpl_1", userId: "tenant-1", name: "Weekly", description: "", type: "usage",
                                                    sections: ["usage_summary"], format: "csv", includeCharts: true, periodDays: 7, version: 1,
                                                    createdByKeyId: "key_x", createdAtMillis: 1, updatedAtMillis: 1)),
         #"{"createdAtMillis":1,"createdByKeyId":"key_x","description":"","format":"csv","includeCharts":true,"name":"Weekly","periodDays":7,"reportType":"usage","sections":["usage_summary"],"templateId":"tpl_1","templateVersion":1,"type":"createReportTemplate","updatedAtMillis":1,"userId":"tenant-1"}"#),
        (.deleteReportTemplate(id: "tpl_1", deletedAtMillis: 2), #"{"deletedAtMillis":2,"templateId":"tpl_1","type":"deleteReportTemplate"}"#),
    ]

    @Test("each report job command encodes to its pinned JSON and decodes back to itself")
    func roundTrip() throws {
        for (command, json) in Self.pinned {
            #expect(command.json() == json)
            #expect(try SettingsCommand.decode(json: json) == command)
        }
    }

    @Test("a job moves pending → running → completed, is started again while running, and keeps a failure's text")
    func lifecycle() async throws {
        let store = try SettingsStore()
        try store.apply(.createReportJob(Self.request()))
        #expect(try await store.reportJob(id: "rpt_1")?.state == .pending)
        #expect(try await store.pendingReportJobCount() == 1)
        #expect(throws: SettingsError.self) { try store.apply(.createReportJob(Self.request())) }
        #expect(throws: SettingsError(.reportJobState, "report 'rpt_1' is pending; only a running report can complete")) {
            try store.apply(.completeReportJob(Self.completion))
        }
        try store.apply(.startReportJob(id: "rpt_1", startedAtMillis: 1))
        // A process that stopped mid-run leaves it running; the next one starts it again.
        try store.apply(.startReportJob(id: "rpt_1", startedAtMillis: 2))
        #expect(try await store.unfinishedReportJobs().map(\.id) == ["rpt_1"])
        try store.apply(.completeReportJob(Self.completion))
        let done = try #require(try await store.reportJob(id: "rpt_1"))
        #expect(done.state == .completed && done.attempts == 2 && done.startedAtMillis == 2)
        #expect(done.sha256 == Self.hash && done.sizeBytes == 5120 && done.fileName == "rpt_1.csv")
        #expect(done.dataAsOf == Self.completion.dataAsOf)
        #expect(done.request == Self.request())
        #expect(throws: SettingsError.self) { try store.apply(.failReportJob(id: "rpt_1", failedAtMillis: 3, error: "x")) }

        try store.apply(.createReportJob(Self.request("rpt_2")))
        try store.apply(.failReportJob(id: "rpt_2", failedAtMillis: 4, error: "timed out after 600 s"))
        #expect(try await store.reportJob(id: "rpt_2")?.error == "timed out after 600 s")
        try store.apply(.deleteReportJob(id: "rpt_2", deletedAtMillis: 5))
        #expect(try await store.reportJob(id: "rpt_2") == nil)
        #expect(throws: SettingsError(.reportNotFound, "no report with id 'rpt_2'")) { try store.apply(.deleteReportJob(id: "rpt_2", deletedAtMillis: 6)) }
        // Every accepted command is in the log, in order; rejected ones are not.
        #expect(try store.commands().map(\.command.type).suffix(7) == [
            "createReportJob", "startReportJob", "startReportJob", "completeReportJob", "createReportJob", "failReportJob", "deleteReportJob",
        ])
    }

    @Test("the list filters by tenant, type, state and creation time, sorts by created_at, name or type, and pages without overlap")
    func listAgainstAModel() async throws {
        let store = try SettingsStore()
        var model: [ReportJob.Request] = []
        for index in 0..<37 {
            let request = Self.request("rpt_\(index)", userId: "tenant-\(index % 3)", type: ["usage", "conversations", "custom"][index % 4 % 3],
                                       title: "T\((index * 7) % 11)", createdAt: Int64(1000 + (index * 13) % 17))
            try store.apply(.createReportJob(request))
            if index % 5 == 0 { try store.apply(.failReportJob(id: request.id, failedAtMillis: 1, error: "e")) }
            model.append(request)
        }
        var checked = 0
        for userId in [nil, "tenant-1"] {
            for type in [nil, "usage"] {
                for sort in SettingsStore.ReportJobQuery.Sort.allCases {
                    for descending in [false, true] {
                        var query = SettingsStore.ReportJobQuery()
                        query.userId = userId
                        query.type = type
                        query.state = .pending
                        query.createdAfterMillis = 1001
                        query.sort = sort
                        query.descending = descending
                        query.limit = 4
                        let selected = model.enumerated().filter { index, r in
                            (userId == nil || r.userId == userId) && (type == nil || r.type == type) && index % 5 != 0 && r.createdAtMillis > 1001
                        }.map(\.element)
                        func key(_ r: ReportJob.Request) -> String {
                            switch sort {
                            case .createdAt: String(format: "%08d", r.createdAtMillis)
                            case .name: r.title
                            case .type: r.type
                            }
                        }
                        var ordered = selected.sorted { key($0) != key($1) ? key($0) < key($1) : $0.id < $1.id }
                        if descending { ordered.reverse() }
                        var seen: [String] = []
                        var offset = 0
                        while true {
                            query.offset = offset
                            let page = try await store.reportJobs(query)
                            #expect(page.total == selected.count)
                            if page.items.isEmpty { break }
                            seen += page.items.map(\.id)
                            offset += 4
                        }
                        #expect(seen == ordered.map(\.id), "\(userId ?? "all") \(type ?? "any") \(sort) \(descending)")
                        checked += 1
                    }
                }
            }
        }
        print("report job list: \(checked) queries checked against the model")
    }

    @Test("a template update must carry the stored version + 1")
    func templateVersions() throws {
        let store = try SettingsStore()
        var record = ReportTemplateRecord(id: "tpl_1", userId: nil, name: "W", description: "", type: "usage", sections: ["usage_summary"],
                                          format: "csv", includeCharts: true, periodDays: 7, version: 1, createdByKeyId: "k",
                                          createdAtMillis: 1, updatedAtMillis: 1)
        try store.apply(.createReportTemplate(record))
        #expect(throws: SettingsError.self) { try store.apply(.createReportTemplate(record)) }
        record.version = 3
        #expect(throws: SettingsError(.templateConflict, "template 'tpl_1' is at version 1; an update must carry version 2")) {
            try store.apply(.updateReportTemplate(record))
        }
        record.version = 2
        try store.apply(.updateReportTemplate(record))
    }

    @Test("the jobs table comes from the migration named v3-report-jobs, right after v2-tenant-time-zones")
    func migrationName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tally-settings-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try SettingsStore(dataDirectory: directory.path)
        let queue = try DatabaseQueue(path: SettingsStore.path(in: directory.path))
        let names = try queue.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
        let v2 = try #require(names.firstIndex(of: "v2-tenant-time-zones"))
        #expect(names.dropFirst(v2).prefix(2) == ["v2-tenant-time-zones", "v3-report-jobs"])
    }
}
