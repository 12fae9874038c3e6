# Coffer: `make run` starts the service on http://127.0.0.1:$(PORT); `make test` runs every test.
PORT ?= 8080
DATA_DIR ?= ./var
CONFIGURATION ?= debug

SWIFT ?= swift
BIN_DIR = $(shell $(SWIFT) build -c $(CONFIGURATION) --show-bin-path)

.PHONY: deps deps-postgres build run run-cluster test test-suites bench bench-cluster profile clean format lint coverage fuzz

deps:
	@scripts/install-deps.sh

# Also Debian's PostgreSQL server, which make test, run-cluster and bench-cluster start themselves.
deps-postgres:
	@scripts/install-deps.sh --postgres

build: deps
	$(SWIFT) build -c $(CONFIGURATION)

# exec: the launcher replaces the recipe's shell, so a SIGTERM that make passes on to its child
# reaches the launcher, which stops everything it started.
# Development: webhooks may target this machine (a receiver on localhost), unless said otherwise.
run: build
	exec env COFFER_WEBHOOK_ALLOW_PRIVATE="$${COFFER_WEBHOOK_ALLOW_PRIVATE:-true}" scripts/stack.sh "$(BIN_DIR)" "$(PORT)" "$(DATA_DIR)"

# NODES cofferd behind one nginx on a private PostgreSQL in DATA_DIR (see scripts/cluster.sh).
NODES ?= 3
run-cluster: deps-postgres build
	exec env COFFER_WEBHOOK_ALLOW_PRIVATE="$${COFFER_WEBHOOK_ALLOW_PRIVATE:-true}" scripts/cluster.sh "$(BIN_DIR)" "$(PORT)" "$(DATA_DIR)" "$(NODES)"

# The executables are built first: the end-to-end and browser tests start the real cofferd and
# nginx. The suites run with a throwaway PostgreSQL server (scripts/with-postgres.sh), so every
# store-backed suite runs on both stores. Browser screenshots land in artifacts/browser/ (not
# committed).
test: deps-postgres lint
	$(SWIFT) build
	scripts/with-postgres.sh $(MAKE) --no-print-directory test-suites

test-suites:
	COFFER_BIN_DIR="$$($(SWIFT) build --show-bin-path)" $(SWIFT) test --disable-swift-testing
	node --test Tests/Static/
	COFFER_BIN_DIR="$$($(SWIFT) build --show-bin-path)" python3 -m pytest -q -p no:cacheprovider Tests/OpenAPI Tests/Browser Tests/Operations
	FUZZ_SECONDS=3 scripts/fuzz.sh

# libFuzzer on the JSON parser, the field reader and the FastCGI mapping, FUZZ_SECONDS each (default 60).
fuzz: deps
	scripts/fuzz.sh

# The toolchain's own formatter, with the project's settings in .swift-format.
format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	scripts/check-layers.sh

# Line coverage per library module, from the in-process suites (see scripts/coverage.sh).
coverage: deps-postgres
	scripts/coverage.sh

bench: deps
	$(SWIFT) build -c release
	scripts/bench.sh "$$($(SWIFT) build -c release --show-bin-path)"

# The same loads on PostgreSQL with 1 and 3 nodes, next to SQLite and the ceiling (BENCHMARKS.md).
bench-cluster: deps-postgres
	$(SWIFT) build -c release
	scripts/bench-cluster.sh "$$($(SWIFT) build -c release --show-bin-path)"

profile: deps
	$(SWIFT) build -c release
	scripts/profile.sh "$$($(SWIFT) build -c release --show-bin-path)"

clean:
	rm -rf .build var artifacts
