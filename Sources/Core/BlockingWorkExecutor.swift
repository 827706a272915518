import Foundation

/// The threads blocking work runs on: the API's handlers, the tracker's writer and refresher, the
/// file follower. Storage calls (`DataStore` is synchronous) and publishing
/// (file writes under an `flock`) block their thread; on Swift's cooperative pool, which has one
/// thread per core, two requests waiting for a locked database would stall every other request,
/// reads included. Handlers therefore prefer this executor (`withTaskExecutorPreference`): a fixed
/// set of ordinary threads where waiting costs nothing but that thread.
public final class BlockingWorkExecutor: TaskExecutor, @unchecked Sendable {
    /// One set per process: the threads live as long as the process, and every API instance
    /// (tests start many) and every service of a process shares them instead of leaking its own.
    public static let shared = BlockingWorkExecutor(threads: 16)

    /// The background loops' own set (the tracker's writer and refresher, the file follower), so
    /// API requests stuck behind a locked database can never hold up committing clicks or
    /// following changes in the same process (`serve` runs all of them).
    public static let services = BlockingWorkExecutor(threads: 8, name: "attendify-services")

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0

    private init(threads: Int, name: String = "attendify-api") {
        for index in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 1_024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

