import ArgumentParser
import Foundation
import TallyDomain
import TallySettings
import TallyStore

/// `tally tenants`: set and list tenants' time zones in the settings store.
struct Tenants: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set and list tenants' time zones.",
        discussion: """
            A tenant's days (report windows, breakdowns, hourly activity, a conversation's start day) are \
            counted in its IANA time zone, UTC by default, DST included. The zone a tenant asks for lives in \
            <data-dir>/settings.sqlite (a setTenantTimeZone command); the zone its rollups are bucketed in \
            lives in the rollup store. A running `tally serve` notices the difference within a second and \
            re-buckets the tenant's history by rebuilding the tenant from the topics beside it, without \
            downtime; reports answer in the old zone until the rebuilt tenant switches in. The topics must \
            still hold the tenant's whole history, or --rebucket-from must name the first day to re-bucket \
            (older days stay in the old zone). PUT /api/v1/platform/tenants/{userId} does the same over HTTP \
            and refuses with 409 history_incomplete at once when the topics have lost part of it; here the \
            server finds that out when it starts, and the tenant's state shows it.
            """,
        subcommands: [Set.self, List.self]
    )

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a tenant's time zone (an IANA name such as Europe/Berlin, or UTC).")

        @OptionGroup var store: StoreOptions

        @Option(help: "The tenant (userId).")
        var userId: String

        @Option(help: "An IANA time zone name, e.g. Europe/Berlin, America/New_York, Asia/Kathmandu, UTC.")
        var timeZone: String

        @Option(help: "Re-bucket from this day (YYYY-MM-DD) on, keeping older days in the zone they were counted in: for topics that no longer hold the tenant's whole history.")
        var rebucketFrom: String?

        func validate() throws {
            guard Identifier.isValid(userId) else { throw ValidationError("--user-id must be 1 to 128 characters without control characters") }
            guard LocalClock.isKnown(timeZone) else {
                throw ValidationError("--time-zone '\(timeZone)' is not an IANA time zone name such as Europe/Berlin or UTC")
            }
            if let rebucketFrom, Day(iso: rebucketFrom) == nil { throw ValidationError("--rebucket-from must be a date as YYYY-MM-DD") }
        }

        func run() throws {
            let settings = try Keys.settings(store)
            try settings.setTenantTimeZone(userId: userId, timeZone: timeZone, rebucketFrom: rebucketFrom.flatMap(Day.init(iso:)),
                                           audit: .commandLine())
            print("userId \(userId): time zone \(timeZone)\(rebucketFrom.map { " from \($0)" } ?? ""); a running `tally serve` re-buckets its history")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants that set a time zone, with the zone their rollups are in.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let desired = try Keys.settings(store).tenantTimeZones()
            let location = StoreLocation(dataDirectory: store.dataDirectory)
            let active = FileManager.default.fileExists(atPath: location.currentPath) ? try TallyStore(path: location.currentPath).tenantZones() : [:]
            print("USER_ID\tTIME_ZONE\tACTIVE_TIME_ZONE\tSTATE\tREBUCKET_FROM")
            for userId in Swift.Set(desired.map(\.userId)).union(active.keys).sorted() {
                let want = desired.first { $0.userId == userId }?.timeZone ?? "UTC"
                let have = active[userId]?.identifier ?? "UTC"
                let from = desired.first { $0.userId == userId }?.rebucketFrom?.iso ?? "-"
                print("\(userId)\t\(want)\t\(have)\t\(want == have ? "active" : "pending")\t\(from)")
            }
        }
    }
}
