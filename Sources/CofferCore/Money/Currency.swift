/// An ISO 4217 currency the service knows, with its minor-unit exponent (cents per unit = 10^exponent).
public struct Currency: Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let exponent: Int

    /// The currencies Coffer can hold; which of them are enabled is configuration (`SUPPORTED_CURRENCIES`).
    public static let known: [String: Int] = [
        "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "JPY": 0,
    ]

    public init?(code: String) {
        guard let exponent = Self.known[code] else { return nil }
        self.code = code
        self.exponent = exponent
    }

    public var description: String { code }

    /// Minor units as a decimal in major units: 1050 → "10.50", -5 → "-0.05", 7 (JPY) → "7".
    public func decimal(_ minor: Int64) -> String {
        var out: [UInt8] = []
        appendDecimal(minor, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `decimal(minor)`, for CSV lines written as bytes: written backwards (the point after
    /// `exponent` digits, at least one digit before it, then the sign) and turned around in place.
    public func appendDecimal(_ minor: Int64, to out: inout [UInt8]) {
        var magnitude = minor.magnitude
        let start = out.count
        var written = 0
        repeat {
            if written == exponent && exponent > 0 { out.append(UInt8(ascii: ".")) }
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
            written += 1
        } while magnitude > 0 || written <= exponent
        if minor < 0 { out.append(UInt8(ascii: "-")) }
        out[start...].reverse()
    }
}

extension Currency {
    /// A decimal in major units ("10", "10.5", "0.05") as exact minor units; nil for anything
    /// else (signs, exponents, more fraction digits than the currency has, overflow).
    public func minorUnits(fromDecimal text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0].isEmpty ? "0" : String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        guard whole.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
            fraction.count <= exponent, !(parts[0].isEmpty && fraction.isEmpty), !(parts.count > 1 && fraction.isEmpty && parts[0].isEmpty)
        else {
            return nil
        }
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let paddedFraction = fraction + String(repeating: "0", count: exponent - fraction.count)
        guard let major = Int64(whole), let minor = Int64(paddedFraction.isEmpty ? "0" : paddedFraction) else { return nil }
        let (scaled, overflow) = major.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        return scaled.addingChecked(minor)
    }
}
