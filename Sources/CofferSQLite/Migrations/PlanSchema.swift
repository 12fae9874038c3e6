import CofferStore

extension Schema {
    /// Each user's plan (API.md "Plans"). Everyone starts on `standard`; only an admin changes it.
    static let plans = Migration(
        version: 16, name: "plans",
        sql: """
            ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'standard' CHECK (plan IN ('standard', 'premium', 'business'));
            """)
}
