import Foundation
import TallySettings
import TallyStore

/// Opens a data directory's settings store, first moving in the API keys that versions before it
/// kept in the rollup store's `api_keys` table.
///
/// This is the only code that knows both stores, and it lives here, where the commands are put
/// together, so that neither store module depends on the other. Every command that reads or
/// writes keys (`serve`, `keys …`) opens the settings store through it, so whichever runs first
/// after an upgrade imports, once:
///
/// 1. the retired rows are read from the live rollup store (nothing to do when there are none);
/// 2. they become `createKey` (and, for revoked keys, `revokeKey`) commands, applied in one
///    transaction only while the settings store holds no key, so they are in the command log and
///    processes starting together import once;
/// 3. the rows the settings store now holds are deleted from the rollup store. A crash between 2
///    and 3 only repeats step 3 next time. Rows the settings store does not hold (it had keys of
///    its own before the import could run) are left alone and named in a warning.
enum LegacyKeyImport {
    /// What opening did besides opening.
    struct Report {
        /// Keys imported by this process, and how many of them were revoked ones.
        var imported = 0
        var revoked = 0
        /// Ids of retired keys that were not imported because the settings store already held keys.
        var ignored: [String] = []

        /// The lines to log, if any.
        var messages: (notice: String?, warning: String?) {
            let notice = imported == 0 ? nil : """
                imported \(imported) API key\(imported == 1 ? "" : "s") (\(revoked) revoked) from the rollup store into \
                \(SettingsStore.fileName), where keys live from now on
                """
            let warning = ignored.isEmpty ? nil : """
                ignoring \(ignored.count) API key\(ignored.count == 1 ? "" : "s") left in the rollup store's retired api_keys table \
                (\(ignored.joined(separator: ", "))): \(SettingsStore.fileName) already held keys of its own; create them again if still needed
                """
            return (notice, warning)
        }
    }

    /// Opens the settings store of `dataDirectory`. `rollups` is the live rollup store when the
    /// caller has it open; otherwise it is opened only if its file exists, so that `tally keys`
    /// on a new data directory creates no rollup store.
    static func openSettings(dataDirectory: String, rollups: TallyStore? = nil) throws -> (SettingsStore, Report) {
        let settings = try SettingsStore(dataDirectory: dataDirectory)
        let location = StoreLocation(dataDirectory: dataDirectory)
        guard let rollups = try rollups ?? (FileManager.default.fileExists(atPath: location.currentPath) ? TallyStore(path: location.currentPath) : nil) else {
            return (settings, Report())
        }
        let retired = try rollups.retiredApiKeys()
        guard !retired.isEmpty else { return (settings, Report()) }

        var report = Report()
        report.imported = try settings.importKeys(retired.flatMap(commands(for:))) > 0 ? retired.count : 0
        report.revoked = report.imported == 0 ? 0 : retired.filter { $0.revokedAtMillis != nil }.count
        let held = Set(try settings.listKeys().map(\.id))
        try rollups.forgetRetiredApiKeys(ids: retired.map(\.id).filter(held.contains))
        report.ignored = retired.map(\.id).filter { !held.contains($0) }
        return (settings, report)
    }

    /// The commands that give the settings store the key `row` describes, history included.
    static func commands(for row: RetiredApiKey) -> [SettingsCommand] {
        // Older versions read an unknown role as report_viewer; the import keeps that reading.
        let create = SettingsCommand.createKey(id: row.id, name: row.name, role: ApiKey.Role(rawValue: row.role) ?? .reportViewer,
                                               userId: row.userId, secretSha256: row.keyHash, createdAtMillis: row.createdAtMillis)
        guard let revokedAt = row.revokedAtMillis else { return [create] }
        return [create, .revokeKey(id: row.id, revokedAtMillis: revokedAt)]
    }
}
