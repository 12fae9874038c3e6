# Coffer: `make run` starts the service on http://127.0.0.1:$(PORT); `make test` runs every test.
PORT ?= 8080
DATA_DIR ?= ./var
CONFIGURATION ?= debug

SWIFT ?= swift
BIN_DIR = $(shell $(SWIFT) build -c $(CONFIGURATION) --show-bin-path)

.PHONY: deps deps-postgres build run run-cluster test test-suites bench bench-cluster profile clean format lint coverage fuzz install

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

# make install [PREFIX=/usr/local] [DESTDIR=] [BIN_DIR=]: release binaries built here, or those in
# BIN_DIR without a build, laid out by scripts/install.sh (which lists the other settings):
#   PREFIX/bin/cofferd, coffer                 the programs, Coffer_CofferAPI.resources beside them
#   PREFIX/share/coffer/static                 the browser app (nginx's root)
#   PREFIX/share/coffer/swagger-ui             Swagger UI for /docs/, from python3's swagger_ui_bundle
#   PREFIX/lib/systemd/system/cofferd.socket, cofferd.service   socket activation on /run/coffer/cofferd.sock
#   PREFIX/lib/sysusers.d/coffer.conf          user and group coffer, nginx's www-data in the group
#   /etc/nginx/sites-available/coffer.conf     the site; the files it includes in /etc/nginx/coffer/
#   /etc/coffer/cofferd.env.example            the model of /etc/coffer/cofferd.env (JWT_SECRET, DATABASE_URL)
# Then, as root: systemd-sysusers; write /etc/coffer/cofferd.env (0600); link the site into
# /etc/nginx/sites-enabled/ in place of Debian's default; systemctl daemon-reload;
# systemctl enable --now cofferd.socket cofferd.service; systemctl restart nginx.
install:
ifeq ($(origin BIN_DIR),file)
	scripts/install-deps.sh
	$(SWIFT) build -c release
	scripts/install.sh "$$($(SWIFT) build -c release --show-bin-path)"
else
	scripts/install.sh "$(BIN_DIR)"
endif

clean:
	rm -rf .build var artifacts
