import CofferCore
import CofferHTTP
import Foundation

/// libFuzzer's entry point for the code that parses untrusted bytes. One binary serves every
/// target (one build instead of three); `COFFER_FUZZ_TARGET` picks the target for a run:
/// `json` (the JSON parser), `fields` (a parsed body read by the field reader), `fastcgi`
/// (FastCGI parameters and body mapped to a `Request`, then its body and query read).
/// A trap, a sanitizer report or a failed property below is a crash that libFuzzer records.
let fuzzTarget = ProcessInfo.processInfo.environment["COFFER_FUZZ_TARGET"] ?? "json"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch fuzzTarget {
    case "json": JSONFuzz.run(bytes)
    case "fields": FieldsFuzz.run(bytes)
    case "fastcgi": FastCGIFuzz.run(bytes)
    default: fatalError("COFFER_FUZZ_TARGET must be json, fields or fastcgi")
    }
    return 0
}
