import Foundation
import Logging
import ServiceLifecycle
import TallyDomain
import TallyStore

/// Inside `serve`: notices a tenant whose desired time zone (settings store) differs from the zone
/// its rollups are bucketed in (rollup store) and re-buckets it by a partial rebuild of that tenant,
/// replayed from the topics beside the running server, which pauses, switches to the rebuilt store
/// and resumes as for `tally rebuild --tenant`. Reports answer in the old zone until the switch.
///
/// One tenant at a time. A tenant the store holds nothing of gets its zone at once. A failed
/// rebuild is logged, shown in the tenant's state and tried again after `retrySeconds`. Without
/// `rebucketFrom` a tenant is rebuilt whole, which the topics must still allow (`TopicHistoryProbe`);
/// with it, the rebuild starts at that day and older days stay in the zone they were counted in.
public final class TenantZoneReconciler: Service, @unchecked Sendable {
    /// A tenant's desired zone.
    public struct Desired: Sendable {
        public var userId: String
        public var timeZone: String
        public var rebucketFrom: Day?
        public init(userId: String, timeZone: String, rebucketFrom: Day?) {
            self.userId = userId
            self.timeZone = timeZone
            self.rebucketFrom = rebucketFrom
        }
    }

    /// Runs the rebuild of `scope` into `zone`, blocking, reporting progress; it gives up with
    /// `StoreRebuilder.Stopped` once `shouldStop` says so.
    public typealias Rebuild = @Sendable (_ scope: RebuildScope, _ zone: TallyStore.TenantZone,
                                          _ progress: @escaping @Sendable (StoreRebuilder.Progress) -> Void,
                                          _ shouldStop: @escaping @Sendable () -> Bool) throws -> StoreRebuilder.Outcome

    private let desired: @Sendable () throws -> [Desired]
    private let currentStore: @Sendable () -> TallyStore
    private let rebuild: Rebuild
    private let missingHistory: @Sendable (TallyStore) -> String?
    private let logger: Logger
    private let interval: Duration
    private let retrySeconds: Double
    private let lock = NSLock()
    private var progressByTenant: [String: RebucketProgress] = [:]
    private var retryAt: [String: (zone: String, at: Date)] = [:]
    /// Set by graceful shutdown: a running rebuild stops instead of delaying the exit by its whole
    /// replay; the next start begins it again, since the zones still differ.
    private var stopping = false
    private var isStopping: Bool { lock.withLock { stopping } }

    public init(desired: @escaping @Sendable () throws -> [Desired], currentStore: @escaping @Sendable () -> TallyStore,
                missingHistory: @escaping @Sendable (TallyStore) -> String?, rebuild: @escaping Rebuild, logger: Logger,
                interval: Duration = .seconds(1), retrySeconds: Double = 30) {
        self.desired = desired
        self.currentStore = currentStore
        self.missingHistory = missingHistory
        self.rebuild = rebuild
        self.logger = logger
        self.interval = interval
        self.retrySeconds = retrySeconds
    }

    /// The re-bucketing of `userId`, while it runs or after it failed.
    public func progress(_ userId: String) -> RebucketProgress? { lock.withLock { progressByTenant[userId] } }

    public func run() async {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await cancelWhenGracefulShutdown {
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: self.interval) } catch { return }
                        await self.reconcileOnce()
                    }
                }
            } onCancel: {
                self.stop()
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Stops a running rebuild and starts no other.
    func stop() { lock.withLock { stopping = true } }

    /// Re-buckets the first tenant whose zones differ, if any (and not waiting to retry).
    func reconcileOnce() async {
        let store = currentStore()
        let wanted: [Desired]
        let active: [String: TallyStore.TenantZone]
        do {
            wanted = try desired()
            active = try store.tenantZones()
        } catch {
            logger.warning("tenant time zones could not be read", metadata: ["error": "\(error)"])
            return
        }
        let now = Date()
        let next = wanted.first { want in
            guard want.timeZone != (active[want.userId]?.identifier ?? "UTC") else { return false }
            let retry = lock.withLock { retryAt[want.userId] }
            return retry.map { $0.zone != want.timeZone || $0.at <= now } ?? true
        }
        lock.withLock { progressByTenant = progressByTenant.filter { entry in wanted.contains { $0.userId == entry.key && $0.timeZone != (active[$0.userId]?.identifier ?? "UTC") } } }
        guard let next, !isStopping else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { self.rebucket(next, store: store); continuation.resume() }
            thread.name = "tally-rebucket"
            thread.start()
        }
    }

    /// Blocking: the rebuild of one tenant into its desired zone.
    private func rebucket(_ want: Desired, store: TallyStore) {
        let zone = TallyStore.TenantZone(identifier: want.timeZone, fromDay: want.rebucketFrom)
        func fail(_ message: String) {
            logger.error("re-bucketing a tenant into its time zone failed; will retry", metadata: [
                "userId": "\(want.userId)", "timeZone": "\(want.timeZone)", "error": "\(message)"])
            lock.withLock {
                progressByTenant[want.userId] = RebucketProgress(userId: want.userId, timeZone: want.timeZone, running: false, lastError: message)
                retryAt[want.userId] = (want.timeZone, Date().addingTimeInterval(retrySeconds))
            }
        }
        do {
            if want.rebucketFrom == nil, try store.setTenantZoneIfEmpty(want.userId, zone) {
                logger.notice("tenant time zone set; it had no rollups to re-bucket", metadata: ["userId": "\(want.userId)", "timeZone": "\(want.timeZone)"])
                return
            }
            if want.rebucketFrom == nil, let missing = missingHistory(store) {
                fail("history_incomplete: the topics no longer hold the tenant's whole history (\(missing)); set the zone again with rebucketFrom")
                return
            }
            lock.withLock { progressByTenant[want.userId] = RebucketProgress(userId: want.userId, timeZone: want.timeZone, running: true) }
            logger.notice("re-bucketing a tenant into its time zone", metadata: [
                "userId": "\(want.userId)", "timeZone": "\(want.timeZone)", "from": "\(want.rebucketFrom?.iso ?? "its first day")"])
            let outcome = try rebuild(RebuildScope(tenant: want.userId, firstDay: want.rebucketFrom), zone, { [weak self] progress in
                let position = progress.partitions.reduce(Int64(0)) { $0 + $1.position }
                let target = max(1, progress.partitions.reduce(Int64(0)) { $0 + $1.target })
                self?.lock.withLock {
                    self?.progressByTenant[want.userId] = RebucketProgress(
                        userId: want.userId, timeZone: want.timeZone, running: true, percent: Int(min(100, position * 100 / target)), events: progress.events)
                }
            }, { [weak self] in self?.isStopping ?? true })
            switch outcome {
            case .switched(_, let to, let events, let seconds, _, _):
                logger.notice("tenant re-bucketed into its time zone", metadata: [
                    "userId": "\(want.userId)", "timeZone": "\(want.timeZone)", "store": "\(to)", "events": "\(events)", "seconds": "\(seconds)"])
                lock.withLock { progressByTenant[want.userId] = nil; retryAt[want.userId] = nil }
            case .mismatch(let differences, _):
                fail("the rebuild differed on \(differences.count) days and was not switched")
            }
        } catch is StoreRebuilder.Stopped {
            logger.notice("re-bucketing a tenant stopped for shutdown; the next start begins it again", metadata: [
                "userId": "\(want.userId)", "timeZone": "\(want.timeZone)"])
            lock.withLock { progressByTenant[want.userId] = nil }
        } catch {
            fail("\(error)")
        }
    }
}
