import ArgumentParser
import Foundation

/// The `tally` command: serve reports, produce traffic, manage keys, benchmark.
@main
struct Tally: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Conversational-AI analytics: Kafka events folded exactly once into SQLite rollups, served as reports over HTTP.",
        discussion: """
            Every option that has an environment variable shows it in its help; a flag given on the \
            command line wins over the environment.
            """,
        subcommands: [Serve.self, Produce.self, Keys.self, Tenants.self, Bench.self, DeadLetters.self, Rebuild.self, Snapshot.self, Audit.self]
    )
}

/// Reads an option's default from the environment, so every flag has a documented variable.
func environment(_ name: String, _ fallback: String) -> String {
    ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
}

/// Options shared by every subcommand that opens a store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory holding the stores: rollups in tally.sqlite, API keys in settings.sqlite (env TALLY_DATA_DIR).")
    var dataDirectory: String = environment("TALLY_DATA_DIR", "./tally-data")
}

/// Options shared by every subcommand that talks to Kafka.
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers, host:port[,host:port…] (env TALLY_BROKERS).")
    var brokers: String = environment("TALLY_BROKERS", "127.0.0.1:9092")

    @Option(help: "Comma-separated topics (env TALLY_TOPICS). Events are routed by type, so one topic works too.")
    var topics: String = environment("TALLY_TOPICS", "conversations,messages,ratings")

    @OptionGroup var client: KafkaPropertyOptions

    var topicList: [String] { topics.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func validate() throws {
        guard !topicList.isEmpty else { throw ValidationError("--topics must name at least one topic") }
        guard !brokers.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--brokers must not be empty") }
    }
}
