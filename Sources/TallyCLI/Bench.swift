import ArgumentParser
import Foundation
import Logging
import TallyDomain
import TallyIngest
import TallyKafka
import TallyStore

/// `tally bench`: the measurements behind `tools/bench`, each printing one JSON object.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (run from tools/bench on a release build); each prints one JSON object.",
        subcommands: [Consume.self, Ingest.self, HTTPFetch.self, StoreFetch.self, ReportFetch.self, Stages.self, BenchRawScan.self]
    )

    /// Raw consume rate of Tally's own consumer: poll and copy every message, nothing else.
    struct Consume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Consume-only rate of a topic set (no decoding, no store).")

        @OptionGroup var kafka: KafkaOptions

        @Option(help: "Stop after this many messages.")
        var expect: Int

        func run() throws {
            let consumer = try KafkaConsumer(brokers: kafka.brokers, group: "tally-bench-\(UUID().uuidString)", logger: Logger(label: "bench"))
            let clock = AssignmentClock()
            consumer.rebalanceHandler = clock
            try consumer.subscribe(kafka.topicList)
            var count = 0
            var bytes = 0
            let deadline = Date().addingTimeInterval(600)
            while count < expect, Date() < deadline {
                if case .message(let message)? = consumer.poll(timeoutMilliseconds: 100) {
                    count += 1
                    bytes += message.value?.count ?? 0
                }
            }
            let seconds = clock.secondsSinceAssignment
            consumer.close()
            printJSON(["messages": count, "bytes": bytes, "seconds": seconds, "messagesPerSecond": Double(count) / seconds])
        }
    }

    /// Full ingest rate: consume, decode, fold and commit, until every message is committed.
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ingest rate into a fresh store until caught up and committed.")

        @OptionGroup var kafka: KafkaOptions
        @OptionGroup var store: StoreOptions

        @Option(help: "Stop once this many messages are committed.")
        var expect: Int

        @Option(help: "Dedupe window in days (0 disables), as for serve.")
        var dedupeDays: Int = 7

        @Option(help: "Catch-up batch size, as for serve (equal to the batch size, 20000, turns growth off).")
        var catchUpBatchSize: Int = 50_000

        @Option(help: "Members in the ordinal cache, as for serve.")
        var memberCacheEntries: Int = 4_000_000

        func run() async throws {
            TallyStore.memberCacheEntries = memberCacheEntries
            let database = try TallyStore(dataDirectory: store.dataDirectory)
            let pipeline = IngestPipeline(
                configuration: IngestConfiguration(brokers: kafka.brokers, topics: kafka.topicList, group: "tally-bench-\(UUID().uuidString)",
                                                   catchUpBatchMessages: catchUpBatchSize, dedupeDays: dedupeDays),
                store: database, logger: Logger(label: "bench"))
            var started: Date?
            var committed = 0
            let deadline = Date().addingTimeInterval(900)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pipeline.run() }
                while Date() < deadline {
                    let status = pipeline.status
                    if started == nil, !status.partitions.isEmpty { started = Date() }
                    committed = Int(status.partitions.reduce(0) { $0 + $1.committedOffset })
                    if committed >= expect { break }
                    try await Task.sleep(for: .milliseconds(5))
                }
                pipeline.requestStop()
                try await group.waitForAll()
            }
            let seconds = Date().timeIntervalSince(started ?? Date())
            let status = pipeline.status
            let stages = database.applyStageTotals
            printJSON([
                "messages": committed, "counted": Int(status.eventsCounted), "rejected": Int(status.eventsRejected),
                "seconds": seconds, "messagesPerSecond": Double(committed) / seconds, "peakRssBytes": peakResidentBytes(),
                "dedupeDays": dedupeDays, "catchUpBatchSize": catchUpBatchSize, "memberCacheEntries": memberCacheEntries,
                // Where the writer thread's time went, per step of applying a batch (see ApplyStage).
                "writerSecondsByStage": Dictionary(uniqueKeysWithValues: ApplyStage.allCases.map { ($0.name, stages.seconds($0)) }),
                "writerSeconds": ApplyStage.allCases.reduce(0) { $0 + stages.seconds($1) },
            ])
        }
    }

    /// Fetch latency over a real HTTP socket, one keep-alive connection, sequential requests.
    struct HTTPFetch: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "http", abstract: "HTTP fetch latency percentiles of one report.")

        @Option(help: "host:port of a running tally serve.")
        var http: String = "127.0.0.1:8080"

        @Option(help: "API key.")
        var key: String

        @Option(help: "Report id.")
        var report: String = "clr3m5n8k000408jq9i8j9k5e"

        @Option(help: "Tenant.")
        var userId: String

        @Option(help: "Period in days.")
        var periodDays: Int = 30

        @Option(help: "Requests to time (after 50 warm-up requests).")
        var requests: Int = 2000

        func run() throws {
            guard let address = HostPort(http) else { throw ValidationError("--http must be host:port") }
            let client = try BlockingHTTPClient(host: address.host, port: address.port)
            let body = "{\"userId\":\"\(userId)\",\"periodDays\":\(periodDays)}"
            var latencies: [Double] = []
            var answer: [UInt8] = []
            for i in 0..<(requests + 50) {
                let start = DispatchTime.now().uptimeNanoseconds
                let (status, reply) = try client.post(path: "/api/v1/report/\(report)/fetch", bearer: key, body: body)
                let micros = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
                guard status == 200 else { throw ValidationError("fetch answered HTTP \(status)") }
                if i >= 50 { latencies.append(micros) }
                answer = reply
            }
            latencies.sort()
            // The last answer's value and change, for tools/bench to set beside a peer's.
            let fields = (try? JSONSerialization.jsonObject(with: Data(answer))) as? [String: Any] ?? [:]
            printJSON([
                "report": report, "value": fields["value"] ?? NSNull(), "change": fields["change"] ?? NSNull(),
                "requests": requests, "p50Micros": latencies[latencies.count / 2],
                "p99Micros": latencies[min(latencies.count - 1, latencies.count * 99 / 100)], "maxMicros": latencies.last ?? 0,
            ])
        }
    }

    /// Store-side cost of a distinct-count report: one tenant with `contacts-per-day` active contacts
    /// every day, then a timed `periodDays` Active Contacts computation (no HTTP).
    struct StoreFetch: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "store-fetch", abstract: "Store time of a 30-day Active Contacts report at scale.")

        @OptionGroup var store: StoreOptions

        @Option(help: "Active contacts per day.")
        var contactsPerDay: Int = 100_000

        @Option(help: "Distinct contacts the daily sets are drawn from.")
        var contactPool: Int = 150_000

        @Option(help: "Report period in days (60 days of data are loaded for a 30-day period and its previous one).")
        var periodDays: Int = 30

        @Option(help: "Timed repetitions.")
        var repetitions: Int = 200

        func run() throws {
            let database = try TallyStore(dataDirectory: store.dataDirectory)
            let end = TallyClock.today()
            var random = SeededRandom(seed: 42)
            let loadStart = Date()
            for offset in 0..<(2 * periodDays) {
                let day = end.advanced(by: -offset)
                var events: [Event] = []
                var seen = Set<Int>()
                while seen.count < contactsPerDay { seen.insert(random.int(in: 0...(contactPool - 1))) }
                // Ratings without a conversation: each makes its contact active, and nothing else
                // (no conversation state) weighs on the load of 100 k contacts a day.
                for (i, contact) in seen.enumerated() {
                    events.append(Event(id: "e\(offset)-\(i)", kind: .ratingCreated(value: 1), userId: "bench-tenant",
                                    occurredAtMillis: Int64(day.number) * 86_400_000 + 1000, conversationId: nil, contactId: "contact-\(contact)"))
                }
                try database.apply(IngestBatch(events: events))
            }
            let loadSeconds = Date().timeIntervalSince(loadStart)
            let report = ReportCatalog.report(id: "clr3m5n8k000408jq9i8j9k5e")!
            let window = ReportWindow(periodDays: periodDays, end: end)
            var latencies: [Double] = []
            var value = ReportNumber.count(0)
            for _ in 0..<repetitions {
                let start = DispatchTime.now().uptimeNanoseconds
                value = try database.report(report, tenant: "bench-tenant", window: window).value
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
            }
            latencies.sort()
            printJSON([
                "contactsPerDay": contactsPerDay, "periodDays": periodDays, "value": value.doubleValue, "loadSeconds": loadSeconds,
                "p50Micros": latencies[latencies.count / 2], "p99Micros": latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
            ])
        }
    }
}

/// Where ingest time goes without Kafka: decode, fold and store, each timed on its own.
struct Stages: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time decode, fold and store apply of generated events, without Kafka.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Events to generate.")
    var events: Int = 200_000

    @Option(help: "Events per batch.")
    var batchSize: Int = 20_000

    @Option(help: "Dedupe window in days (0 disables).")
    var dedupeDays: Int = 7

    @Option(help: "Tenants of the generated traffic.")
    var tenants: Int = 20

    @Option(help: "How the traffic falls in time: forward or shuffled (as for produce).")
    var spread: String = TrafficGenerator.Spread.forward.rawValue

    func validate() throws {
        guard TrafficGenerator.Spread(rawValue: spread) != nil else { throw ValidationError("--spread must be forward or shuffled") }
        guard tenants > 0, events > 0, batchSize > 0 else { throw ValidationError("--tenants, --events and --batch-size must be positive") }
    }

    func run() throws {
        let end = TallyClock.today()
        let payloads = TrafficGenerator(seed: 3, tenants: tenants, days: 90, endDay: end, total: events,
                                        spread: TrafficGenerator.Spread(rawValue: spread) ?? .forward).map(EventEncoder.json)
        let now = TallyClock.nowMillis()
        let decoder = EventDecoder()
        var start = DispatchTime.now().uptimeNanoseconds
        var decoded: [Event] = []
        decoded.reserveCapacity(payloads.count)
        for payload in payloads { if case .success(let event) = decoder.decode(payload, nowMillis: now) { decoded.append(event) } }
        let decodeSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // Per batch, as ingest does: the fold (the consuming thread's work), then the apply of the
        // folded batch (the writer thread's work), each timed on its own.
        let database = try TallyStore(dataDirectory: store.dataDirectory)
        var foldNanos: UInt64 = 0
        var applyNanos: UInt64 = 0
        for first in stride(from: 0, to: decoded.count, by: batchSize) {
            let events = Array(decoded[first..<min(decoded.count, first + batchSize)])
            start = DispatchTime.now().uptimeNanoseconds
            let delta = RollupDelta(folding: events, clocks: database.tenantClocks)
            let folded = DispatchTime.now().uptimeNanoseconds
            try database.apply(IngestBatch(events: events, delta: delta), dedupeDays: dedupeDays)
            foldNanos += folded - start
            applyNanos += DispatchTime.now().uptimeNanoseconds - folded
        }
        let foldSeconds = Double(foldNanos) / 1e9
        let applySeconds = Double(applyNanos) / 1e9
        printJSON([
            "events": decoded.count, "decodePerSecond": Double(decoded.count) / decodeSeconds,
            "foldPerSecond": Double(decoded.count) / foldSeconds, "applyPerSecond": Double(decoded.count) / applySeconds,
            "dedupeDays": dedupeDays, "tenants": tenants, "spread": spread, "batchSize": batchSize,
        ])
    }
}

/// Starts a stopwatch when the first partitions are assigned, so group-join time is not counted.
final class AssignmentClock: KafkaRebalanceHandler {
    private(set) var assignedAt: Date?

    var secondsSinceAssignment: Double { Date().timeIntervalSince(assignedAt ?? Date()) }

    func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        if assignedAt == nil { assignedAt = Date() }
        return [:]
    }

    func partitionsRevoked(_ partitions: [TopicPartition]) {}
}

/// The process's peak resident set size, from /proc (0 where unavailable).
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
}

/// Prints a flat JSON object with sorted keys.
func printJSON(_ fields: [String: Any]) {
    let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
    print(String(decoding: data, as: UTF8.self))
}
