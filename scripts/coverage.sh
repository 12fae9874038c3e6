#!/usr/bin/env bash
# make coverage: runs the Swift suites with coverage and prints line coverage per library module
# (Sources/<Module>/), measured with the toolchain's llvm-cov. Only code run in the test process
# counts: the end-to-end tests drive separate cofferd and coffer processes, which are not
# instrumented, so what they add (the FastCGI transport, the executables' wiring) shows as uncovered.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests --enable-code-coverage
# With a throwaway PostgreSQL server, so the PostgreSQL store's suites run too.
COFFER_BIN_DIR="$(swift build --show-bin-path)" scripts/with-postgres.sh \
  swift test --skip-build --enable-code-coverage --disable-swift-testing >/dev/null
bin=$(swift build --show-bin-path)
profile="$bin/codecov/default.profdata"
tool_dir=$(dirname "$(command -v swift)")
"$tool_dir/llvm-cov" report "$bin/CofferPackageTests.xctest" -instr-profile "$profile" \
  -ignore-filename-regex '(\.build|Tests)/' 2>/dev/null | python3 "$(dirname "$0")/coverage_report.py"
