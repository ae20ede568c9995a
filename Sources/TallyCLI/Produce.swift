import ArgumentParser
import Foundation
import TallyDomain
import TallyKafka

/// `tally produce`: send generated or file events to the topics, routed by type.
struct Produce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Produce generated traffic or an NDJSON file to the topics, keyed by userId and routed by type.",
        discussion: """
            Generated traffic is reproducible: the same --seed, --tenants, --days, --events and --end-date \
            (and --spread) always give the same events. With --topics naming one topic, every type goes there; with three, \
            they are conversation, message and rating topics in that order. --live keeps producing events \
            stamped with the current time until interrupted.
            """
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Number of tenants (userIds) to generate.")
    var tenants: Int = 20

    @Option(help: "Days of history to generate, ending on --end-date.")
    var days: Int = 90

    @Option(help: "Number of events to generate.")
    var events: Int = 100_000

    @Option(help: "How generated conversations fall in time: forward (day by day through the range) or shuffled (each on a random day, 64 interleaved at once).")
    var spread: String = TrafficGenerator.Spread.forward.rawValue

    @Option(help: "Random seed; the same seed gives the same events.")
    var seed: UInt64 = 1

    @Option(help: "Last day of generated history, YYYY-MM-DD (default: today, UTC).")
    var endDate: String?

    @Option(help: "Produce this NDJSON file (one event per line) instead of generated traffic.")
    var file: String?

    @Flag(help: "Keep producing live events (at --rate per second, stamped now) until interrupted.")
    var live = false

    @Option(help: "Events per second in --live mode.")
    var rate: Int = 50

    @Option(help: "Create the topics first with this many partitions (0: do not create).")
    var createTopics: Int32 = 0

    @Option(help: "librdkafka compression.codec for produced batches: none, gzip, snappy, lz4 or zstd.")
    var compression: String = "none"

    func validate() throws {
        guard tenants > 0, days > 0, days <= 3650, events >= 0 else { throw ValidationError("--tenants and --days must be positive (--days at most 3650), --events not negative") }
        if let endDate, Day(iso: endDate) == nil { throw ValidationError("--end-date must be YYYY-MM-DD") }
        guard TrafficGenerator.Spread(rawValue: spread) != nil else { throw ValidationError("--spread must be forward or shuffled") }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
        guard [1, 3].contains(kafka.topicList.count) else { throw ValidationError("--topics must name one topic or three (conversations, messages, ratings)") }
    }

    func run() throws {
        let producer = try KafkaProducer(brokers: kafka.brokers, properties: kafka.client.properties.merging(["compression.codec": compression]) { _, flag in flag })
        if createTopics > 0 { try producer.createTopics(kafka.topicList, partitions: createTopics) }
        let router = TopicRouter(topics: kafka.topicList)
        var progress = ProgressLine(label: "produced", total: file == nil && !live ? events : nil)
        if let file {
            guard let handle = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read --file \(file)") }
            var unroutable = 0
            for line in LineReader(handle: handle) where !line.isEmpty {
                let routed = router.route(line)
                if routed.type == nil { unroutable += 1 }
                try producer.send(topic: routed.topic, key: routed.key, value: line)
                progress.advance()
            }
            if unroutable > 0 { FileHandle.standardError.write(Data("\(unroutable) lines had no readable type; sent to \(router.fallback) for Tally to reject\n".utf8)) }
        } else if live {
            var generator = TrafficGenerator(seed: seed, tenants: tenants, days: 1, endDay: TallyClock.today(), total: Int.max)
            while true {
                let started = Date()
                for _ in 0..<rate {
                    guard var event = generator.next() else { break }
                    event.occurredAtMillis = TallyClock.nowMillis()
                    try producer.send(topic: router.topic(for: event), key: Array(event.userId.utf8), value: EventEncoder.json(event))
                    progress.advance()
                }
                Thread.sleep(forTimeInterval: max(0, 1 - Date().timeIntervalSince(started)))
            }
        } else {
            let end = endDate.flatMap(Day.init(iso:)) ?? TallyClock.today()
            for event in TrafficGenerator(seed: seed, tenants: tenants, days: days, endDay: end, total: events,
                                               spread: TrafficGenerator.Spread(rawValue: spread) ?? .forward) {
                try producer.send(topic: router.topic(for: event), key: Array(event.userId.utf8), value: EventEncoder.json(event))
                progress.advance()
            }
        }
        let summary = try producer.flush()
        progress.finish()
        guard summary.failed == 0 else {
            throw KafkaError(.producer, "\(summary.failed) messages were not delivered: \(summary.firstError ?? "unknown error")")
        }
        print("{\"delivered\":\(summary.delivered)}")
    }
}

/// Maps event types to topics: one topic for all, or one per type.
struct TopicRouter {
    let topics: [String]

    var fallback: String { topics.count == 3 ? topics[1] : topics[0] }

    func topic(for event: Event) -> String {
        guard topics.count == 3 else { return topics[0] }
        switch event.kind {
        case .conversationCreated: return topics[0]
        case .messageCreated: return topics[1]
        case .ratingCreated: return topics[2]
        }
    }

    /// The topic and key of a raw NDJSON line, read from its `type` and `userId`; lines without a
    /// readable type go to the fallback topic unchanged, so Tally records them as dead letters.
    func route(_ line: [UInt8]) -> (topic: String, key: [UInt8]?, type: EventType?) {
        struct Probe: Decodable { var type: String?; var userId: String? }
        let probe = try? JSONDecoder().decode(Probe.self, from: Data(line))
        let key = probe?.userId.map { Array($0.utf8) }
        guard let type = probe?.type.flatMap(EventType.init(rawValue:)) else { return (fallback, key, nil) }
        guard topics.count == 3 else { return (topics[0], key, type) }
        switch type {
        case .conversationCreated: return (topics[0], key, type)
        case .messageCreated: return (topics[1], key, type)
        case .ratingCreated: return (topics[2], key, type)
        }
    }
}

/// Reads a file line by line without loading it whole.
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var done = false

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            if done { return buffer.isEmpty ? nil : { defer { buffer = [] }; return buffer }() }
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { done = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

/// Wall-clock helpers for the CLI (the domain itself takes time as a parameter).
enum TallyClock {
    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
    static func today() -> Day { Day(epochSeconds: nowMillis() / 1000) }
}

/// Prints one progress line per second to standard error: count, rate and, when known, percent.
struct ProgressLine {
    let label: String
    let total: Int?
    private var count = 0
    private let started = Date()
    private var lastPrint = Date()

    init(label: String, total: Int?) {
        self.label = label
        self.total = total
    }

    mutating func advance(by n: Int = 1) {
        count += n
        if count & 1023 == 0, Date().timeIntervalSince(lastPrint) >= 1 { print(final: false) }
    }

    mutating func finish() { print(final: true) }

    private mutating func print(final: Bool) {
        lastPrint = Date()
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        var line = "\(label) \(count) events, \(Int(Double(count) / elapsed))/s"
        if let total, total > 0 { line += ", \(count * 100 / total)%" }
        if final { line += ", done in \(String(format: "%.1f", elapsed)) s" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
