import CLinuxRandom
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Random numbers from the kernel's CSPRNG, drawn 4 KiB at a time for the whole process.
/// `SystemRandomNumberGenerator` makes one `getrandom(2)` per 8 bytes: a transfer's five
/// identifiers cost twelve system calls on the committer thread (`perf stat`, BENCHMARKS.md).
/// The bytes are the same kernel output, only fetched in bulk, so identifiers stay as hard to guess.
/// Secrets (tokens, keys) do not come from here; they use OpenSSL's `RAND_bytes`.
public struct KernelRandom: RandomNumberGenerator {
    private static let pool = Mutex(Pool())

    public init() {}

    public mutating func next() -> UInt64 {
        Self.pool.withLock { $0.next() }
    }

    private struct Pool: ~Copyable {
        private static let size = 4096
        private let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        private var used = size

        deinit { bytes.deallocate() }

        mutating func next() -> UInt64 {
            if used == Self.size { refill() }
            defer { used += 8 }
            return bytes.load(fromByteOffset: used, as: UInt64.self)
        }

        private mutating func refill() {
            var filled = 0
            while filled < Self.size {
                let count = getrandom(bytes.baseAddress! + filled, Self.size - filled, 0)
                if count > 0 {
                    filled += count
                } else {
                    // Only EINTR can happen once the pool is initialised (Linux ≥ 3.17 with a
                    // valid buffer); anything else means the kernel cannot give randomness.
                    precondition(errno == EINTR, "getrandom failed: errno \(errno)")
                }
            }
            used = 0
        }
    }
}
