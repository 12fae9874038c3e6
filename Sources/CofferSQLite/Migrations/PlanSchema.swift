import CofferStore

extension Schema {
    /// Each user's plan (API.md "Plans"). Everyone starts on `standard`; only an admin changes it.
    static let plans = Migration(
        version: 16, name: "plans",
        sql: """
            ALTER TABLE users ADD COLUMN plan TEXT NOT NULL DEFAULT 'standard' CHECK (plan IN ('standard', 'premium', 'business'));
            """)

    /// Attempts whose password is still being checked are told apart from failures: they cap how
    /// many guesses run at once, but only failures lock an email (API.md). Rows from before count
    /// as the failures they mostly were.
    static let pendingLoginAttempts = Migration(
        version: 17, name: "pending_login_attempts",
        sql: """
            ALTER TABLE login_failures ADD COLUMN pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));
            """)
}
