import CFastCGI
import CofferCore
import CofferHTTP
import Dispatch
import Foundation
import Logging
import Synchronization

/// A fixed pool of worker threads, each looping on `FCGX_Accept_r` with its own request and its
/// own handler (and so its own database connection). Nothing else: nginx does the HTTP work.
public final class FastCGIServer: Sendable {
    /// Builds one worker's handler; called on that worker's thread, so whatever it opens
    /// (a database connection) is owned by that thread alone.
    public typealias HandlerFactory = @Sendable () throws -> (Request) -> Response

    private let socket: ListeningSocket
    private let workerCount: Int
    private let bodyBytesMax: Int
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchGroup()
    private let busyWorkers = Atomic<Int>(0)
    /// Workers whose loop is running, those of them inside `FCGX_Accept_r`, and the wake-up
    /// requests they took.
    private let liveWorkers = Atomic<Int>(0)
    private let acceptingWorkers = Atomic<Int>(0)
    private let wakeUpsTaken = Atomic<Int>(0)

    /// Connections from nginx being served right now (one per busy worker).
    public var openConnections: Int { busyWorkers.load(ordering: .relaxed) }

    public init(socket: ListeningSocket, workers: Int, bodyBytesMax: Int, logger: Logger) {
        precondition(workers > 0, "at least one worker")
        self.socket = socket
        self.workerCount = workers
        self.bodyBytesMax = bodyBytesMax
        self.logger = logger
        FCGX_Init()
    }

    /// Starts the workers. A worker whose handler cannot be built logs why and exits; cofferd
    /// checks the database before this, so that is a rare, late failure.
    public func start(_ makeHandler: @escaping HandlerFactory) {
        for index in 0..<workerCount {
            finished.enter()
            let thread = Thread { [self] in
                ThreadName.set("cofferd-w\(index)")  // for top -H and perf
                self.work(index: index, makeHandler: makeHandler)
                self.finished.leave()
            }
            thread.start()
        }
    }

    /// Stops accepting and waits up to `timeoutSeconds` for in-flight requests to finish.
    /// Returns true when every worker finished in time.
    public func stop(timeoutSeconds: Int) -> Bool {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let deadline = DispatchTime.now() + .seconds(timeoutSeconds)
        if socket.isShared {
            wakeIdleWorkers(until: deadline)
        } else {
            socket.stopAccepting()
        }
        let drained = finished.wait(timeout: deadline) == .success
        if !drained {
            logger.warning("drain timed out", metadata: ["event": "shutdown", "busy_workers": .stringConvertible(busyWorkers.load(ordering: .relaxed))])
        }
        return drained
    }

    /// One wake-up request for each worker still blocked in accept(2) that none is on its way to;
    /// busy workers see `stopping` when their request is done.
    private func wakeIdleWorkers(until deadline: DispatchTime) {
        var sent = 0
        while liveWorkers.load(ordering: .sequentiallyConsistent) > 0, DispatchTime.now() < deadline {
            let waiting = acceptingWorkers.load(ordering: .sequentiallyConsistent)
            let onTheirWay = sent - wakeUpsTaken.load(ordering: .sequentiallyConsistent)
            guard waiting > onTheirWay else {
                usleep(5_000)
                continue
            }
            // A full backlog (overload at SIGTERM) makes a connect wait: never past the deadline.
            guard WakeUpRequest.send(to: socket, timeoutMilliseconds: 200) else {
                logger.warning("cannot wake idle workers", metadata: ["event": "shutdown", "waiting_workers": .stringConvertible(waiting)])
                usleep(50_000)
                continue
            }
            sent += 1
        }
    }

    private func work(index: Int, makeHandler: HandlerFactory) {
        let handle: (Request) -> Response
        do {
            handle = try makeHandler()
        } catch {
            logger.critical("worker cannot start", metadata: ["event": "worker_failed", "worker": .stringConvertible(index), "error": "\(error)"])
            return
        }
        let request = UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1)
        defer { request.deallocate() }
        FCGX_InitRequest(request, socket.fileDescriptor, 0)
        defer { FCGX_Free(request, 0) }
        liveWorkers.add(1, ordering: .sequentiallyConsistent)
        defer { liveWorkers.subtract(1, ordering: .sequentiallyConsistent) }

        // Sequentially consistent with `stop`: a worker that enters accept after `stopping` was
        // set is counted there, and is woken.
        while !stopping.load(ordering: .sequentiallyConsistent) {
            acceptingWorkers.add(1, ordering: .sequentiallyConsistent)
            let rc = FCGX_Accept_r(request)
            acceptingWorkers.subtract(1, ordering: .sequentiallyConsistent)
            guard rc >= 0 else {
                if stopping.load(ordering: .acquiring) { break }
                logger.error("accept failed", metadata: ["event": "accept_failed", "code": .stringConvertible(Int(rc))])
                usleep(10_000)
                continue
            }
            if FCGX_GetParam(WakeUpRequest.parameter, request.pointee.envp) != nil {
                FCGX_Finish_r(request)
                wakeUpsTaken.add(1, ordering: .sequentiallyConsistent)
                continue
            }
            busyWorkers.add(1, ordering: .relaxed)
            let incoming = FastCGIExchange.readRequest(request, bodyBytesMax: bodyBytesMax)
            let response = handle(incoming)
            FastCGIExchange.writeResponse(response, to: request.pointee.out)
            FastCGIExchange.finish(request)
            busyWorkers.subtract(1, ordering: .relaxed)
        }
    }
}
