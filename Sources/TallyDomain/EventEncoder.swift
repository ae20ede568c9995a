/// Writes an `Event` as the JSON object of the event contract.
///
/// Producers (the `produce` command, tests and benchmarks) need the exact wire form; a dedicated
/// writer avoids `Codable` overhead when producing millions of events.
public enum EventEncoder {
    /// The event as a compact UTF-8 JSON object.
    public static func json(_ event: Event) -> [UInt8] {
        var out = "{"
        field(&out, "id", event.id)
        field(&out, "type", event.typeName)
        field(&out, "userId", event.userId)
        field(&out, "occurredAt", timestamp(event.occurredAtMillis))
        if let v = event.conversationId { field(&out, "conversationId", v) }
        if let v = event.contactId { field(&out, "contactId", v) }
        if let v = event.botId { field(&out, "botId", v) }
        if let v = event.channel { field(&out, "channel", v) }
        switch event.kind {
        case .conversationCreated: break
        case .messageCreated(let type): field(&out, "messageType", type.rawValue)
        case .ratingCreated(let value): out += "\"value\":\(value),"
        }
        if let v = event.messageId { field(&out, "messageId", v) }
        if let v = event.reason { field(&out, "reason", v) }
        if let v = event.tokens { out += "\"tokens\":\(v)," }
        out.removeLast()
        out += "}"
        return Array(out.utf8)
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-22T08:15:00.250Z`.
    public static func timestamp(_ millis: Int64) -> String {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let day = Day(epochSeconds: seconds)
        let secondOfDay = Int(seconds - Int64(day.number) * 86_400)
        let ms = Int(millis - seconds * 1000)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(day.iso)T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)).\(msText)Z"
    }

    private static func field(_ out: inout String, _ name: String, _ value: String) {
        out += "\"\(name)\":\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\","
    }
}
