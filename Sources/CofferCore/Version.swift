/// The release this build belongs to; reported by `/v1/health` and `--version`.
public enum CofferVersion {
    public static let current = "0.1.0"
}
