import Foundation

/// Values gathered from several threads at once.
public final class Collected<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every access goes through the lock.
    private let lock = NSLock()
    private var items: [Value] = []

    public init() {}

    public func add(_ value: Value) { lock.withLock { items.append(value) } }
    public var all: [Value] { lock.withLock { items } }
}
