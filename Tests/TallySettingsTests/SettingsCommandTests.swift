import Foundation
import Testing
import TallySettings

/// The command encoding is a wire format: commands will travel on a Kafka topic and are kept in
/// the log, so the exact JSON is pinned here, not only the round trip.
@Suite("Settings commands")
struct SettingsCommandTests {
    static let hash = String(repeating: "ab", count: 32)

    static let pinned: [(SettingsCommand, String)] = [
        (.createKey(id: "key_0a1b2c3d4e5f", name: "ops", role: .admin, userId: nil, secretSha256: hash, createdAtMillis: 1_767_225_600_000),
         #"{"createdAtMillis":1767225600000,"keyId":"key_0a1b2c3d4e5f","name":"ops","role":"admin","secretSha256":"\#(hash)","type":"createKey"}"#),
        (.createKey(id: "key_1", name: "dash/board \"x\"", role: .reportViewer, userId: "tenant-1", secretSha256: hash, createdAtMillis: 5),
         #"{"createdAtMillis":5,"keyId":"key_1","name":"dash/board \"x\"","role":"report_viewer","secretSha256":"\#(hash)","type":"createKey","userId":"tenant-1"}"#),
        (.revokeKey(id: "key_0a1b2c3d4e5f", revokedAtMillis: 1_767_312_000_000),
         #"{"keyId":"key_0a1b2c3d4e5f","revokedAtMillis":1767312000000,"type":"revokeKey"}"#),
        (.setTenantTimeZone(userId: "tenant-1", timeZone: "Europe/Berlin", rebucketFrom: "2026-06-01", setAtMillis: 1_767_312_000_000),
         #"{"rebucketFrom":"2026-06-01","setAtMillis":1767312000000,"timeZone":"Europe/Berlin","type":"setTenantTimeZone","userId":"tenant-1"}"#),
        (.setTenantTimeZone(userId: "t", timeZone: "UTC", rebucketFrom: nil, setAtMillis: 7),
         #"{"setAtMillis":7,"timeZone":"UTC","type":"setTenantTimeZone","userId":"t"}"#),
        (.recordKeyUse(id: "key_0a1b2c3d4e5f", day: "2026-01-02", atMillis: 1_767_312_000_000),
         #"{"atMillis":1767312000000,"day":"2026-01-02","keyId":"key_0a1b2c3d4e5f","type":"recordKeyUse"}"#),
    ]

    @Test("each command encodes to its pinned JSON and decodes back to itself")
    func roundTrip() throws {
        for (command, json) in Self.pinned {
            #expect(command.json() == json)
            #expect(try SettingsCommand.decode(json: json) == command)
            // Codable directly, as a topic's serializer would use it.
            #expect(try JSONDecoder().decode(SettingsCommand.self, from: JSONEncoder().encode(command)) == command)
        }
    }

    @Test("every role round-trips by its API name")
    func roles() throws {
        for role in ApiKey.Role.allCases {
            let command = SettingsCommand.createKey(id: "k", name: "n", role: role, userId: nil, secretSha256: Self.hash, createdAtMillis: 0)
            #expect(command.json().contains(#""role":"\#(role.rawValue)""#))
            #expect(try SettingsCommand.decode(json: command.json()) == command)
        }
    }

    @Test("fields a later version adds are ignored; key order and an explicit null userId do not matter")
    func tolerantDecoding() throws {
        let json = #"{"type":"revokeKey","revokedAtMillis":7,"keyId":"key_1","reason":"rotated"}"#
        #expect(try SettingsCommand.decode(json: json) == .revokeKey(id: "key_1", revokedAtMillis: 7))
        let withNull = #"{"type":"createKey","keyId":"k","name":"n","role":"admin","userId":null,"secretSha256":"\#(Self.hash)","createdAtMillis":1}"#
        #expect(try SettingsCommand.decode(json: withNull) == .createKey(id: "k", name: "n", role: .admin, userId: nil, secretSha256: Self.hash, createdAtMillis: 1))
    }

    @Test("unknown types, missing fields, unknown roles and non-JSON are invalid_command, naming the problem", arguments: [
        (#"{"type":"deleteKey","keyId":"k"}"#, "type"),
        (#"{"keyId":"k","revokedAtMillis":1}"#, "type"),
        (#"{"type":"revokeKey","keyId":"k"}"#, "revokedAtMillis"),
        (#"{"type":"createKey","keyId":"k","name":"n","role":"owner","secretSha256":"x","createdAtMillis":1}"#, "role"),
        (#"{"type":"revokeKey","keyId":7,"revokedAtMillis":1}"#, "keyId"),
        ("not json", "invalid JSON"),
    ])
    func invalid(json: String, mentions: String) {
        let error = #expect(throws: SettingsError.self) { try SettingsCommand.decode(json: json) }
        #expect(error?.code == .invalidCommand)
        #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
    }
}
