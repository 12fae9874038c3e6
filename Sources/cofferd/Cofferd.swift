import CofferAPI
import CofferCore
import CofferCrypto
import CofferFastCGI
import CofferHTTP
import CofferLogging
import CofferSQLite
import CofferServices
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// cofferd: reads its configuration, prepares the database, then serves FastCGI until SIGTERM or
/// SIGINT, when it stops accepting, lets in-flight requests finish and exits 0.
@main
struct Cofferd {
    static func main() {
        let startClock = ContinuousClock.now
        // Before any thread exists, so every thread inherits the mask and only the main thread's
        // sigwait sees these signals; libfcgi's own handlers never run.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
        // Database files and the WAL are created private; the socket's mode is set explicitly.
        umask(0o077)

        let inheritedSocket: Int32?
        do {
            inheritedSocket = try ListeningSocket.inheritedSocket()
        } catch {
            exitWithError("\(error)", code: 2)
        }
        let config: Configuration
        do {
            config = try Configuration.load(
                from: ProcessInfo.processInfo.environment, cores: ProcessInfo.processInfo.activeProcessorCount,
                inheritedSocket: inheritedSocket)
        } catch {
            exitWithError("\(error)", code: 2)
        }

        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "cofferd")
        let metricsRegistry = config.metricsEnabled ? ProcessMetrics.bootstrap() : nil

        let stores: WorkerStores
        do {
            try createDataDirectory(config.dataDirectory)
            stores = try WorkerStores.open(config)
        } catch {
            exitWithError("database \(config.database) is unusable: \(error) (check DATABASE_URL)", code: 1)
        }
        let auth = authSettings(config)
        let dummyHash: String
        do {
            dummyHash = try IdentityService.makeDummyHash(auth)
        } catch {
            exitWithError("cannot hash with Argon2id: \(error) (check ARGON2_*)", code: 1)
        }
        let socket: ListeningSocket
        do {
            socket = try ListeningSocket(config.listen, socketMode: config.socketMode)
        } catch {
            exitWithError("cannot listen: \(error) (check COFFER_LISTEN)", code: 1)
        }

        if config.jwtSecretIsEphemeral {
            logger.warning(
                "JWT_SECRET is not set: using a random secret for this process only; tokens will not survive a restart",
                metadata: ["event": "config"])
        }

        let server = FastCGIServer(socket: socket, workers: config.workers, bodyBytesMax: RequestBody.batchBytesMax, logger: logger)
        var settings = CofferService.Settings(
            corsOrigins: config.corsOrigins, startedAt: Timestamp.now(), jwtSecret: config.jwtSecret,
            auth: auth, dummyPasswordHash: dummyHash, money: moneySettings(config))
        settings.serverNames = config.serverNames
        // One Argon2id computation per core: more would only add memory, not speed.
        settings.services.hashingSlots = HashingSlots(count: ProcessInfo.processInfo.activeProcessorCount)
        settings.services.webhooks.allowPrivateTargets = config.webhookAllowPrivate
        settings.services.webhooks.allowPlainHTTP = config.environment != .prod
        settings.services.exportsDirectory = config.dataDirectory + "/exports"
        settings.metricsExposition = metricsRegistry.map { ProcessMetrics.exposition(registry: $0, server: server, workers: config.workers) }
        let workerSettings = settings
        server.start {
            let services = WorkerServices(store: try stores.make(), settings: workerSettings.services)
            let application = CofferService.makeApplication(services: services, settings: workerSettings, logger: logger)
            return { request in application.handle(request) }
        }
        let runner: JobRunner
        do {
            let work = BackgroundWork(
                clock: .system, webhooks: settings.services.webhooks, money: settings.services.money,
                exportsDirectory: settings.services.exportsDirectory)
            var runnerSettings = JobRunner.Settings()
            runnerSettings.leaseSeconds = Int64(config.jobLeaseSeconds)
            runner = try JobRunner(makeStore: stores.make, work: work, settings: runnerSettings, clock: .system) { job, outcome, error in
                let metadata: Logger.Metadata = [
                    "event": "job", "job_id": .string(job.id), "kind": .string(job.kind.rawValue), "outcome": .string(outcome.rawValue),
                    "attempt": .stringConvertible(job.attempts), "error": .string(error ?? ""),
                ]
                switch outcome {
                case .succeeded: logger.debug("job finished", metadata: metadata)
                // Its lease was lost before the outcome was written, or is no longer renewed.
                case .running: logger.warning("job lease lost or given up", metadata: metadata)
                default: logger.warning("job failed", metadata: metadata)
                }
            }
        } catch {
            exitWithError("database \(config.database) is unusable for the job runner: \(error)", code: 1)
        }
        runner.start()
        let startup = startClock.duration(to: .now)
        logger.info(
            "started",
            metadata: [
                "event": "startup", "listen": "\(config.listen)", "workers": .stringConvertible(config.workers),
                "environment": .string(config.environment.rawValue), "version": .string(CofferVersion.current),
                "startup_ms": .stringConvertible(
                    Double(startup.components.attoseconds / 1_000_000_000_000) / 1000
                        + Double(startup.components.seconds) * 1000),
            ].merging(stores.committerNice.map { ["committer_nice": .stringConvertible($0)] } ?? [:]) { first, _ in first })

        var received: Int32 = 0
        sigwait(&signals, &received)
        logger.info("stopping", metadata: ["event": "shutdown", "signal": .stringConvertible(Int(received))])
        let drained = server.stop(timeoutSeconds: config.shutdownTimeoutSeconds)
        // Then background work: the pass under way finishes; what it did not reach stays queued.
        runner.stop()
        // After the workers: on SQLite every job they queued is committed and answered before this returns.
        stores.stop(logger)
        socket.close()
        withExtendedLifetime(stores) {}
        logger.info("stopped", metadata: ["event": "shutdown", "drained": .stringConvertible(drained)])
        exit(drained ? 0 : 1)
    }

    static func authSettings(_ config: Configuration) -> AuthSettings {
        var auth = AuthSettings()
        auth.accessTokenSeconds = Int64(config.accessTokenSeconds)
        auth.passwordHashing = PasswordHasher.Parameters(
            memoryKiB: UInt32(config.argon2MemoryKiB),
            iterations: UInt32(config.argon2Iterations),
            parallelism: UInt32(config.argon2Parallelism))
        return auth
    }

    static func moneySettings(_ config: Configuration) -> MoneySettings {
        var money = MoneySettings()
        money.plans = config.plans
        money.supportedCurrencies = config.supportedCurrencies
        money.maxBalance = config.maxBalance
        return money
    }

    /// The data directory is traversable (0711) so nginx's workers can reach the socket inside it,
    /// but not listable; the files in it are private (umask 077).
    static func createDataDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o711)
    }

    static func exitWithError(_ message: String, code: Int32) -> Never {
        let line = "cofferd: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(code)
    }
}
