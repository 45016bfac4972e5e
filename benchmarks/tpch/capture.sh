#!/usr/bin/env bash
# Captures TPC-H memory traces (format 2: allocations, faults, syscalls) for one scale factor at
# several DuckDB thread counts, one query process at a time, into benchmarks/tpch/sf<S>-t<N>/.
# Meant for a bigger machine than the 2-core one the committed traces come from (the thesis used
# SF 30 and 64 threads): generation is offline (the driver's SQL generator, cached under
# $XDG_CACHE_HOME/unimem), capture needs perf (or strace) and a C compiler for the interposer.
#
#   benchmarks/tpch/capture.sh SF [THREADS...]      e.g. benchmarks/tpch/capture.sh 30 8 64
#
# Environment: QUERIES (default 1-22), REPEAT (runs per process, default 3: 1 cold + 2 warm),
# OUT (default: this directory), NICE (default 10).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
driver="$here/../../apps/duckdb-driver/bin/unimem-duckdb.mjs"
sf="${1:?usage: capture.sh SF [THREADS...]}"
shift
if [ "$#" -eq 0 ]; then threads=(8 64); else threads=("$@"); fi
out="${OUT:-$here}"
queries="${QUERIES:-1-22}"
repeat="${REPEAT:-3}"
nice_level="${NICE:-10}"

nice -n "$nice_level" "$driver" gen --sf "$sf"
for t in "${threads[@]}"; do
  echo "capture: SF $sf, $t DuckDB threads, queries $queries, $repeat runs each -> $out/sf$sf-t$t"
  nice -n "$nice_level" "$driver" capture --sf "$sf" --threads "$t" --repeat "$repeat" \
    --queries "$queries" --out "$out/sf$sf-t$t"
  "$driver" inspect "$out/sf$sf-t$t" > "$out/sf$sf-t$t/inspect.txt"
done
echo "capture: done; trace sizes:"
du -sh "$out"/sf"$sf"-t*
