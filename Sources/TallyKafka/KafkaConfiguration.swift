import Crdkafka

/// librdkafka properties, turned into an `rd_kafka_conf_t` in one place so that every rejected
/// property is reported by name.
struct KafkaConfiguration {
    var properties: [String: String]

    /// A new configuration handle; the caller owns it until it is passed to `rd_kafka_new`.
    func makeHandle() throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(.invalidConfiguration, "\(name)=\(value): \(String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
            }
        }
        return conf
    }

    /// Creates a client of `type` from these properties, after checking the library version.
    func makeClient(type: rd_kafka_type_t, configure: (OpaquePointer) -> Void = { _ in }) throws(KafkaError) -> OpaquePointer {
        try LibrdkafkaVersion.requireSupported()
        let conf = try makeHandle()
        configure(conf)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let client = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(.clientCreation, String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return client
    }

    /// librdkafka's text for an error code.
    static func describe(_ error: rd_kafka_resp_err_t) -> String {
        String(cString: rd_kafka_err2str(error))
    }
}
