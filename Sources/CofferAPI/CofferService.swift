import CofferCore
import CofferHTTP
import CofferStore
import Logging

/// Assembles the HTTP application for one worker: its database connection, the routes of every
/// resource, and the translation of lower-layer errors into catalogue errors.
public enum CofferService {
    public struct Settings: Sendable {
        public var corsOrigins: [String]
        public var startedAt: Timestamp

        public init(corsOrigins: [String], startedAt: Timestamp) {
            self.corsOrigins = corsOrigins
            self.startedAt = startedAt
        }
    }

    public static func makeApplication(database: Database, settings: Settings, logger: Logger) -> Application {
        var router = Router()
        HealthHandlers(database: database, startedAt: settings.startedAt).register(in: &router)
        MetadataHandlers(openAPIDocument: openAPIDocument).register(in: &router)
        return Application(router: router, cors: CORSPolicy(allowedOrigins: settings.corsOrigins), logger: logger,
                           translate: translate)
    }

    /// Loaded once per process and shared by every worker.
    static let openAPIDocument = MetadataHandlers.loadOpenAPIDocument()

    /// A database that is busy past its timeout or unreadable is a temporary outage (503), not a bug.
    static func translate(_ error: any Error) -> AppError? {
        guard let databaseError = error as? DatabaseError else { return nil }
        switch databaseError.kind {
        case .busy, .unavailable:
            return AppError(.serviceUnavailable, headers: [("Retry-After", "1")])
        case .constraint, .other:
            return nil
        }
    }
}
