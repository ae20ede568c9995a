import Foundation

/// Runs blocking work (an SMTP exchange waits on the network for up to its timeout) on a thread
/// of its own, so that it never holds one of the cooperative pool's few threads.
enum BlockingCall {
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = "tally-smtp"
            thread.start()
        }
    }
}
