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
        guard exponent > 0 else { return String(minor) }
        let magnitude = minor.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let fraction = String(magnitude % divisor)
        let padded = String(repeating: "0", count: exponent - fraction.count) + fraction
        return (minor < 0 ? "-" : "") + "\(magnitude / divisor).\(padded)"
    }
}
