import XCTest

@testable import CofferCore

/// The serializer's eight-bytes-at-a-time scan agrees with the byte-by-byte rule for every byte
/// value at every position of every length up to three words and a tail.
final class JSONEscapeScanTests: XCTestCase {
    func testTheWordScanFindsExactlyTheBytesThatNeedAnEscape() {
        for length in 1...27 {
            for position in 0..<length {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = UInt8(value)
                    let expected = JSONValue.needsEscape(UInt8(value))
                    let found = bytes.withUnsafeBufferPointer { JSONValue.anyNeedsEscape($0) }
                    if found != expected {
                        return XCTFail("byte \(value) at \(position) of \(length): scan says \(found)")
                    }
                }
            }
        }
        // Neighbours of the limits, side by side in one word, never read as one of them.
        let near: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xFF]
        XCTAssertFalse(near.withUnsafeBufferPointer { JSONValue.anyNeedsEscape($0) })
        XCTAssertFalse([UInt8]().withUnsafeBufferPointer { JSONValue.anyNeedsEscape($0) })
    }

    func testStringsAreWrittenEscapedOrWholeAsBefore() {
        XCTAssertEqual(JSONValue.string("plain text, long enough for two words").serializedString, #""plain text, long enough for two words""#)
        XCTAssertEqual(JSONValue.string("twelve bytes\"then a quote").serializedString, #""twelve bytes\"then a quote""#)
        XCTAssertEqual(JSONValue.string("eight b\\").serializedString, #""eight b\\""#)
        XCTAssertEqual(JSONValue.string("sixteen bytes ..\n").serializedString, #""sixteen bytes ..\n""#)
        XCTAssertEqual(JSONValue.string("é€ and 😀 stay as they are").serializedString, "\"é€ and 😀 stay as they are\"")
    }
}
