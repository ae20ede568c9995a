import Foundation
import TallyDomain

/// Records the days on which each key is used (`recordKeyUse`), at most one command per key and
/// UTC day: the first request of the day writes, every later one only checks a set in memory.
///
/// Another process that shares the settings file writes its own first use of the day too; the
/// command changes nothing then, so the days stay right and only the command log grows by one.
public final class KeyUseRecorder: Sendable {
    private let settings: SettingsStore
    private let recorded = RecordedDays()

    public init(settings: SettingsStore) { self.settings = settings }

    /// Notes that `key` authenticated a request at `atMillis`; writes when it is the key's first
    /// use of that UTC day that this process sees.
    public func noteUse(of key: ApiKey, atMillis: Int64 = SettingsStore.nowMillis()) throws(SettingsError) {
        let day = Day(epochMillis: atMillis)
        guard recorded.insert(key.id, day) else { return }
        do {
            try settings.apply(.recordKeyUse(id: key.id, day: day.iso, atMillis: atMillis))
        } catch {
            recorded.remove(key.id, day)
            throw error
        }
    }

    /// The (key, day) pairs written by this process; days before the newest are dropped.
    private final class RecordedDays: @unchecked Sendable {
        private let lock = NSLock()
        private var day = Day(number: 0)
        private var keys: Set<String> = []

        /// True when the pair was not recorded yet.
        func insert(_ key: String, _ on: Day) -> Bool {
            lock.withLock {
                if on > day { day = on; keys = [] }
                guard on == day else { return false }
                return keys.insert(key).inserted
            }
        }

        func remove(_ key: String, _ on: Day) {
            lock.withLock { if on == day { keys.remove(key) } }
        }
    }
}
