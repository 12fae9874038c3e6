#!/usr/bin/env bash
# make fuzz: libFuzzer (clang's -sanitize=fuzzer, with AddressSanitizer) on the code that parses
# untrusted bytes: the JSON parser, the field reader, and the FastCGI parameters -> Request
# mapping. Each target runs for FUZZ_SECONDS (default 60; make test uses a few) from the seed
# corpus in Tests/Fuzz/corpus/TARGET; new inputs go to a scratch copy, crashes to
# .build-fuzz/crashes/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
out=.build-fuzz
mkdir -p "$out/crashes"
# CofferCore imports the CLinuxRandom module map (getrandom).
flags=(-parse-as-library -O -g -sanitize=fuzzer,address -I "$out" -I Sources/CLinuxRandom)
build() { swiftc "${flags[@]}" "$@" >>"$out/build.log" 2>&1 || { grep -v "Cannot export local symbol" "$out/build.log" >&2; exit 1; }; }
: >"$out/build.log"
# The library code is compiled from its own sources, as modules of the same names, so the
# harnesses import it as the service does; only the files that parse bytes are needed.
# swift-http-types (resolved by SwiftPM into .build/checkouts) with the settings its manifest gives.
http_types=.build/checkouts/swift-http-types/Sources/HTTPTypes
[ -d "$http_types" ] || swift package resolve >/dev/null
availability=()
for version in 1.0 1.1 1.2 1.3 1.4 1.5 1.6 1.7 1.8; do
  availability+=(-enable-experimental-feature "AvailabilityMacro=HTTPTypes $version: macOS 10.0")
done
build -emit-library -static -emit-module -module-name HTTPTypes -o "$out/libHTTPTypes.a" \
  -enable-upcoming-feature InternalImportsByDefault "${availability[@]}" $(find "$http_types" -name '*.swift' | sort)
build -emit-library -static -emit-module -module-name CofferCore -o "$out/libCofferCore.a" \
  $(find Sources/CofferCore -name '*.swift' | sort)
build -emit-library -static -emit-module -module-name CofferHTTP -o "$out/libCofferHTTP.a" \
  Sources/CofferHTTP/Messages/*.swift Sources/CofferHTTP/Body/*.swift Sources/CofferHTTP/Pipeline/RequestID.swift
build -module-name CofferFuzz -o "$out/coffer-fuzz" -L "$out" -lCofferHTTP -lCofferCore -lHTTPTypes \
  Sources/CofferFastCGI/FastCGIRequestMapping.swift Tests/Fuzz/*.swift

status=0
for target in json fields fastcgi; do
  work="$out/corpus-$target"
  rm -rf "$work" && mkdir -p "$work"
  cp Tests/Fuzz/corpus/"$target"/* "$work"/
  echo "fuzz $target: ${seconds}s from $(ls "$work" | wc -l) seeds"
  if ! COFFER_FUZZ_TARGET=$target "$out/coffer-fuzz" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
       -artifact_prefix="$out/crashes/$target-" -print_final_stats=1 "$work" >"$out/$target.log" 2>&1; then
    echo "fuzz $target: CRASH — see $out/$target.log and $out/crashes/" >&2
    tail -n 30 "$out/$target.log" >&2
    status=1
  else
    echo "fuzz $target: $(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$out/$target.log" | grep -oE '[0-9]+$') runs, no crash"
  fi
done
exit $status
