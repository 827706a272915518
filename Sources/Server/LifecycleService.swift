import Generator
import ServiceLifecycle

/// Runs the life-cycle scheduler next to a server and stops it on graceful shutdown.
struct LifecycleService: Service {
    let scheduler: LifecycleScheduler

    func run() async throws {
        await cancelWhenGracefulShutdown { await scheduler.run() }
    }
}
