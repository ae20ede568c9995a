import Foundation

/// The scheduler's time source, injected (as swift-otel's batch processor takes its clock), so
/// that tests drive fire instants, DST changes and retry waits without sleeping through them.
public protocol ScheduleClock: Sendable {
    /// The current instant, in ms since the epoch.
    func nowMillis() -> Int64
    /// Waits `millis` of this clock's time, or until cancelled.
    func sleep(millis: Int64) async throws
}

/// The system's clock.
public struct SystemScheduleClock: ScheduleClock {
    public init() {}
    public func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
    public func sleep(millis: Int64) async throws { try await Task.sleep(for: .milliseconds(millis)) }
}
