#!/usr/bin/env bash
# The layer table of the README, enforced: each library module may import only the project
# modules listed for it (dependencies point down). `make lint`, and so `make test`, fails on any
# other import. Executables (cofferd, coffer) wire everything and may import anything.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A allowed=(
  [CofferCore]="CLinuxRandom"
  [CofferStore]="CofferCore"
  [CofferSQLite]="CofferCore CofferStore CSQLite3"
  [CofferPostgres]="CofferCore CofferStore CPostgres"
  [CofferCrypto]="CofferCore CLibCrypto CArgon2"
  [CofferOutbound]="CofferCore CCurl"
  [CofferServices]="CofferCore CofferStore CofferCrypto CofferOutbound"
  [CofferHTTP]="CofferCore"
  [CofferLogging]="CofferCore"
  [CofferAPI]="CofferCore CofferHTTP CofferServices"
  [CofferFastCGI]="CofferCore CofferHTTP CFastCGI"
)
project=$(ls Sources)
status=0
for module in "${!allowed[@]}"; do
  imports=$(grep -rhoE '^(@testable |@_exported )?import [A-Za-z0-9_]+' "Sources/$module" | awk '{print $NF}' | sort -u)
  for name in $imports; do
    grep -qx "$name" <<<"$project" || continue   # a system or package module
    if ! grep -qw "$name" <<<"${allowed[$module]}"; then
      echo "layers: $module imports $name, which the layer table forbids:" >&2
      grep -rnE "^(@testable |@_exported )?import $name\$" "Sources/$module" >&2
      status=1
    fi
  done
done
for module in $project; do
  case $module in cofferd | coffer | C[A-Z]*) ;; *)
    [ -n "${allowed[$module]+set}" ] || { echo "layers: Sources/$module is not in the layer table" >&2; status=1; }
  esac
done
[ $status = 0 ] && echo "layers: every import follows the layer table"
exit $status
