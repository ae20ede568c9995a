import Crdkafka

/// The librdkafka actually loaded at run time, and the oldest one Tally accepts.
///
/// librdkafka 1.4 to 2.1.1 skip one byte too few for every tagged field of the protocol, so their
/// very first ApiVersions exchange with a current broker fails ("Read underflow"). 2.4.0 to 2.9.x
/// keep a freed entry in their metadata cache when a topic comes back under the same name with a
/// new topic id, and crash soon after (librdkafka #4964): a broker restart that recreates the
/// topics, or an operator recreating one, must not take Tally down. The check reads
/// `rd_kafka_version()` from the loaded library, not the header, because a newer header can sit
/// beside an older shared library.
public enum LibrdkafkaVersion {
    /// 2.10.0, encoded as librdkafka does (0xMMmmrrxx).
    public static let minimum: Int32 = 0x020A_00FF

    /// The loaded library's version number.
    public static var runtime: Int32 { Int32(rd_kafka_version()) }

    /// The loaded library's version string, e.g. "2.8.0".
    public static var runtimeString: String { String(cString: rd_kafka_version_str()) }

    /// Throws a clear error when the loaded librdkafka is too old.
    public static func requireSupported() throws(KafkaError) {
        guard runtime >= minimum else {
            throw KafkaError(.unsupportedLibrary, """
                librdkafka \(runtimeString) is loaded, but Tally needs 2.10.0 or newer: versions before 2.2.0 \
                mis-parse the tagged fields of current brokers ("Read underflow"), and versions before 2.10.0 \
                can crash when a topic is recreated. Run tools/setup to install one.
                """)
        }
    }
}
