import Foundation
import GRDB
import Testing
import TallySettings

/// `setTenantTimeZone` goes through the one `apply`: checked, written and logged together, and a
/// refused command leaves no trace.
@Suite("Tenant time zone settings")
struct TenantTimeZoneTests {
    @Test("a zone is set, replaced, listed and logged as a command")
    func setAndLog() throws {
        let settings = try SettingsStore()
        try settings.setTenantTimeZone(userId: "t1", timeZone: "America/New_York")
        try settings.setTenantTimeZone(userId: "t1", timeZone: "Asia/Kathmandu")
        try settings.setTenantTimeZone(userId: "t0", timeZone: "UTC")
        #expect(try settings.tenantTimeZones().map { "\($0.userId)=\($0.timeZone)" } == ["t0=UTC", "t1=Asia/Kathmandu"])
        #expect(try settings.commands(after: 0).map(\.command.type) == ["setTenantTimeZone", "setTenantTimeZone", "setTenantTimeZone"])
    }

    @Test("an unknown zone, a bad date or a bad userId is invalid_command and is not logged")
    func refusals() throws {
        let settings = try SettingsStore()
        let bad: [SettingsCommand] = [
            .setTenantTimeZone(userId: "t1", timeZone: "Mars/Olympus", rebucketFrom: nil, setAtMillis: 1),
            .setTenantTimeZone(userId: "t1", timeZone: "UTC", rebucketFrom: "2026-02-30", setAtMillis: 1),
            .setTenantTimeZone(userId: "t\u{1F}1", timeZone: "UTC", rebucketFrom: nil, setAtMillis: 1),
        ]
        for command in bad {
            #expect(throws: SettingsError.self) { try settings.apply(command) }
        }
        #expect(try settings.tenantTimeZones().isEmpty)
        #expect(try settings.commands(after: 0).isEmpty)
    }
}
