import ArgumentParser
import Foundation
import TallyDomain
import TallyStore

extension Bench {
    /// Store time of every report on a store that ingest filled, the way a fetch reads it: for the
    /// tenant, for one bot's slice and grouped by bot over 30 days, and the reports whose cost
    /// grows with the period (Hourly Activity, First Response Time) over 365 days.
    struct ReportFetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report-fetch", abstract: "Store time of every report, sliced and not, on an ingested store.")

        @OptionGroup var store: StoreOptions

        @Option(help: "The tenant whose reports are read.")
        var userId: String = "tenant-1"

        @Option(help: "The bot whose slice is read.")
        var botId: String = "bot-1"

        @Option(help: "Timed repetitions of each report and form.")
        var repetitions: Int = 50

        /// Reports whose cost grows with the period, timed over a year as well.
        static let yearLongNames: Set<String> = ["Hourly Activity Report", "First Response Time Report"]

        func run() throws {
            let database = try TallyStore(dataDirectory: store.dataDirectory)
            let end = TallyClock.today()
            let month = ReportWindow(periodDays: 30, end: end)
            let year = ReportWindow(periodDays: 365, end: end)
            let slice = RollupScope.key(tenant: userId, .botId, botId)
            var reports: [String: Any] = [:]
            var worst: [String: Double] = [:]
            for report in ReportCatalog.all {
                let forms: [(String, () throws -> ReportResult)] = [
                    ("tenant", { try database.report(report, tenant: userId, window: month) }),
                    ("slice", { try database.report(report, tenant: slice, window: month) }),
                    ("groupedByBot", { try database.report(report, tenant: userId, window: month, groupBy: .botId) }),
                ]
                var timings: [String: Any] = [:]
                for (form, fetch) in forms {
                    let (p50, p99) = try Self.percentiles(repetitions: repetitions, fetch)
                    timings[form] = ["p50Micros": p50, "p99Micros": p99]
                    worst[form] = max(worst[form] ?? 0, p99)
                }
                reports[report.name] = timings
            }
            var yearLong: [String: Any] = [:]
            for report in ReportCatalog.all where Self.yearLongNames.contains(report.name) {
                let (p50, p99) = try Self.percentiles(repetitions: repetitions) { try database.report(report, tenant: userId, window: year) }
                yearLong[report.name] = ["p50Micros": p50, "p99Micros": p99]
            }
            printJSON([
                "userId": userId, "botId": botId, "repetitions": repetitions,
                "thirtyDays": reports, "thirtyDaysWorstP99Micros": worst, "yearLong": yearLong,
            ])
        }

        /// p50 and p99, in microseconds, of `repetitions` calls after one untimed warm-up call.
        static func percentiles(repetitions: Int, _ fetch: () throws -> ReportResult) throws -> (Double, Double) {
            _ = try fetch()
            var latencies: [Double] = []
            for _ in 0..<max(1, repetitions) {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try fetch()
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
            }
            latencies.sort()
            return (latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
        }
    }
}
