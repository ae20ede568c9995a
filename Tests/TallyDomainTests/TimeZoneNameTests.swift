import Testing
import TallyDomain

/// Which zone names a schedule (and a tenant) may use: IANA `Area/Location` names of the system's
/// tzdata, including those Foundation's list spells the older way only.
@Suite("Time zone names")
struct TimeZoneNameTests {
    @Test("current IANA names are known even where Foundation lists an older spelling", arguments: [
        "Asia/Kolkata", "Asia/Calcutta", "Europe/Kyiv", "Europe/Kiev", "America/Sao_Paulo", "Pacific/Chatham", "UTC",
    ])
    func known(name: String) {
        #expect(LocalClock.isKnown(name))
        #expect(LocalClock(timeZoneIdentifier: name)?.identifier == name)
    }

    @Test("abbreviations, offsets, other spellings and unknown places stay unknown", arguments: [
        "EST", "GMT+5", "+05:30", "Etc/GMT+5", "asia/kolkata", "Asia/Kolkata/", "Asia/../Asia/Kolkata", "Mars/Olympus", "Asia/Atlantis", "",
    ])
    func unknown(name: String) {
        #expect(!LocalClock.isKnown(name))
        #expect(LocalClock(timeZoneIdentifier: name) == nil)
    }

    @Test("Kolkata is +05:30 all year")
    func kolkata() throws {
        let clock = try #require(LocalClock(timeZoneIdentifier: "Asia/Kolkata"))
        #expect(clock.offsetSeconds(atEpochMillis: 1_767_225_600_000) == 19_800)
        #expect(clock.offsetSeconds(atEpochMillis: 1_782_000_000_000) == 19_800)
    }
}
