import ArgumentParser
import Foundation
import GRDB
import Logging
import TallyDomain
import TallyKafka

/// `tally bench raw-scan`: the design a user would build instead of Tally, measured on the same
/// events. The raw events go into one SQLite table, and each report is an aggregate query at fetch
/// time, as ChatBotKit computes its reports.
///
/// Tuned honestly: WAL, an index by (tenant, time) that also covers every column the queries read
/// (so no query touches the table itself), statements prepared once, and warm-up runs before the
/// timed ones. Each timed query computes the whole answer of the report's fetch (value, the previous
/// period's value for `change`, and the daily breakdown), and its value is printed so that
/// `tools/bench` can check it against Tally's.
struct BenchRawScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-scan",
        abstract: "A raw-event SQLite peer: load the topics' events, time Total Messages, Active Contacts and Average Messages per Conversation.")

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Stop loading after this many messages.")
    var expect: Int

    @Option(help: "The peer's SQLite file (created afresh).")
    var database: String

    @Option(help: "Also write the loaded events to this CSV file (tenant, occurred_at, kind, conversation_id, contact_id), for tools/duckdb-peer.")
    var exportCsv: String?

    @Option(help: "Tenant whose reports are timed.")
    var userId: String = "tenant-1"

    @Option(help: "Period in days, ending today (UTC).")
    var periodDays: Int = 30

    @Option(help: "Timed runs of each report (after 5 warm-up runs).")
    var repetitions: Int = 50

    func validate() throws {
        guard (1...365).contains(periodDays) else { throw ValidationError("--period-days must be 1-365") }
        guard repetitions > 0, expect > 0 else { throw ValidationError("--repetitions and --expect must be positive") }
    }

    func run() throws {
        try? FileManager.default.removeItem(atPath: database)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        let queue = try DatabaseQueue(path: database)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: """
                CREATE TABLE events (tenant TEXT NOT NULL, occurred_at INTEGER NOT NULL, kind INTEGER NOT NULL,
                                     conversation_id TEXT, contact_id TEXT)
                """)
        }
        let loadStart = Date()
        let loaded = try load(into: queue)
        // The index is built after the load, as a user loading a backlog would.
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE INDEX events_by_tenant_time ON events (tenant, occurred_at, kind, contact_id, conversation_id)")
            try db.execute(sql: "ANALYZE")
        }
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let window = ReportWindow(periodDays: periodDays, end: TallyClock.today())
        var reports: [String: Any] = [:]
        try queue.read { db in
            let queries = try RawScanQueries(db, tenant: userId, window: window)
            for (name, query) in [("totalMessages", queries.totalMessages), ("activeContacts", queries.activeContacts),
                                  ("averageMessagesPerConversation", queries.averageMessagesPerConversation)] {
                var answer = try query()
                for _ in 0..<4 { answer = try query() }
                var latencies: [Double] = []
                for _ in 0..<repetitions {
                    let start = DispatchTime.now().uptimeNanoseconds
                    answer = try query()
                    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
                }
                latencies.sort()
                reports[name] = ["value": answer.value, "change": answer.change, "breakdownDays": answer.breakdown.count, "p50Micros": latencies[latencies.count / 2],
                                 "p99Micros": latencies[min(latencies.count - 1, latencies.count * 99 / 100)]]
            }
        }
        printJSON(["events": loaded, "loadSeconds": loadSeconds, "periodDays": periodDays, "userId": userId,
                   "repetitions": repetitions, "reports": reports])
    }

    /// Consumes and decodes every event of the topics (the rejected ones are left out, as Tally
    /// leaves them out), inserting them in transactions of 50 000.
    private func load(into queue: DatabaseQueue) throws -> Int {
        let consumer = try KafkaConsumer(brokers: kafka.brokers, group: "tally-bench-raw-\(UUID().uuidString)", logger: Logger(label: "bench"))
        defer { consumer.close() }
        try consumer.subscribe(kafka.topicList)
        let decoder = EventDecoder()
        let csv = try exportCsv.map { path -> FileHandle in
            FileManager.default.createFile(atPath: path, contents: Data("tenant,occurred_at,kind,conversation_id,contact_id\n".utf8))
            guard let handle = FileHandle(forWritingAtPath: path) else { throw ValidationError("cannot write \(path)") }
            handle.seekToEndOfFile()
            return handle
        }
        defer { try? csv?.close() }
        var consumed = 0, loaded = 0
        let deadline = Date().addingTimeInterval(900)
        while consumed < expect, Date() < deadline {
            var events: [Event] = []
            while events.count < 50_000, consumed < expect, Date() < deadline {
                guard case .message(let message)? = consumer.poll(timeoutMilliseconds: 100) else { continue }
                consumed += 1
                if case .success(let event) = decoder.decode(message.value ?? [], nowMillis: TallyClock.nowMillis()) { events.append(event) }
            }
            try queue.write { db in
                let insert = try db.makeStatement(sql: "INSERT INTO events (tenant, occurred_at, kind, conversation_id, contact_id) VALUES (?, ?, ?, ?, ?)")
                for event in events {
                    try insert.execute(arguments: [event.userId, event.occurredAtMillis, RawScanQueries.kind(event), event.conversationId, event.contactId])
                }
            }
            if let csv {
                var text = ""
                for event in events {
                    text += [CSVField.quoted(event.userId), String(event.occurredAtMillis), String(RawScanQueries.kind(event)),
                             event.conversationId.map(CSVField.quoted) ?? "", event.contactId.map(CSVField.quoted) ?? ""].joined(separator: ",")
                    text += "\n"
                }
                csv.write(Data(text.utf8))
            }
            loaded += events.count
        }
        return loaded
    }
}

/// RFC 4180 quoting for the peer's CSV export: every field quoted, quotes doubled.
enum CSVField {
    static func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
