import ArgumentParser

/// Extra librdkafka properties for every Kafka client a command creates: security settings
/// (`security.protocol`, `sasl.*`, `ssl.*`), client ids, or `debug=cgrp,topic` while diagnosing.
///
/// Given as `--kafka-property key=value` (repeatable) or as `TALLY_KAFKA_PROPERTIES`, a
/// `;`-separated list of the same pairs. A flag wins over the environment for the same key.
struct KafkaPropertyOptions: ParsableArguments {
    @Option(name: .customLong("kafka-property"), help: ArgumentHelp(
        "A librdkafka property for the Kafka clients, e.g. security.protocol=ssl; repeatable (env TALLY_KAFKA_PROPERTIES, pairs separated by ;).",
        valueName: "key=value"))
    var pairs: [String] = []

    /// The properties from the environment, then the flags.
    var properties: [String: String] {
        var result: [String: String] = [:]
        for pair in allPairs {
            if let (key, value) = Self.split(pair) { result[key] = value }
        }
        return result
    }

    func validate() throws {
        for pair in allPairs where Self.split(pair) == nil {
            throw ValidationError("Kafka property '\(pair)' must be key=value, e.g. security.protocol=ssl")
        }
    }

    /// `TALLY_KAFKA_PROPERTIES`' pairs first, so that a flag for the same key wins.
    private var allPairs: [String] {
        environment("TALLY_KAFKA_PROPERTIES", "").split(separator: ";").map(String.init) + pairs
    }

    private static func split(_ pair: String) -> (String, String)? {
        let trimmed = pair.trimmingCharacters(in: .whitespaces)
        guard let equals = trimmed.firstIndex(of: "="), equals != trimmed.startIndex else { return nil }
        return (String(trimmed[..<equals]), String(trimmed[trimmed.index(after: equals)...]))
    }
}
