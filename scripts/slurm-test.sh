#!/bin/bash
# Proves `unimem bench --shard` and `unimem merge` on a real scheduler: starts a single-node
# Slurm (munged, slurmctld, slurmd) with a private configuration in a temporary folder, submits
# scripts/slurm-bench.sbatch as a job array over a reduced grid, waits for it, merges the shards
# and checks that the merged points equal those of the same sweep run unsharded (same sweep id,
# byte-identical points). Exits 0 when they are equal, 1 when they differ or a step fails, and
# 0 with "SKIP: <why>" when Slurm cannot be started here (not installed, not root, no munge key,
# daemons that do not come up). Stops only the daemons it started (by their pid).
#
#   apt-get install -y slurm-wlm munge   # Debian/Ubuntu, as root
#   bash scripts/slurm-test.sh           # from the repository root, after pnpm install
#
# Environment: SLURM_TEST_SHARDS (default 3), SLURM_TEST_ARGS (the grid, default below).
set -uo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
shards="${SLURM_TEST_SHARDS:-3}"
# A reduced grid: 6 cases of a few seconds each (two frame benchmarks on llfree, 3 core counts).
read -r -a grid <<<"${SLURM_TEST_ARGS:-frames.bulk frames.repeat --systems llfree --cores 1,2,4 --scale 0.02}"
work="$(mktemp -d /tmp/unimem-slurm-XXXXXX)"
pids=()

skip() {
  echo "SKIP: $* (the Slurm test did not run)"
  cleanup
  exit 0
}
fail() {
  echo "FAIL: $*"
  for log in "$work"/*.log "$work"/out/*.out; do
    [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }
  done
  cleanup
  exit 1
}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  done
  [ -n "${KEEP_SLURM_TEST:-}" ] || rm -rf "$work"
}
trap 'cleanup; exit 130' INT TERM

for tool in munged slurmctld slurmd sbatch squeue sinfo; do
  command -v "$tool" >/dev/null || skip "$tool not found (apt-get install -y slurm-wlm munge)"
done
[ "$(id -u)" = 0 ] || skip "not root: slurmd must run as root to start jobs"
[ -x "$repo/node_modules/.bin/tsx" ] || fail "no node_modules in $repo (run pnpm install first)"
unimem=("$repo/node_modules/.bin/tsx" "$repo/apps/bench/src/bin.ts")

# munge: a key of our own, a private socket.
mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/out"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
munged --force --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge.log" --seed-file="$work/munge/seed" \
  || skip "munged does not start (see its log: $(tail -n 1 "$work/munge.log" 2>/dev/null))"
sleep 0.5
pids+=("$(cat "$work/munge/munged.pid")")

# Slurm: this host as the only node, with what slurmd detects; no cgroups (containers).
node_line="$(slurmd -C 2>/dev/null | head -n 1)"
[[ "$node_line" == NodeName=* ]] || skip "slurmd -C does not describe this host"
node="$(sed -E 's/^NodeName=([^ ]+).*/\1/' <<<"$node_line")"
cpus="$(sed -E 's/.* CPUs=([0-9]+).*/\1/' <<<"$node_line")"
cat >"$work/slurm.conf" <<EOF
ClusterName=unimem-test
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
SlurmctldPort=$((20000 + RANDOM % 20000))
SlurmdPort=$((40000 + RANDOM % 20000))
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
$node_line
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
# slurmctld and slurmd under a pid we know: -D keeps them in the foreground, & gives the pid.
slurmctld -D -i -f "$SLURM_CONF" >>"$work/slurmctld.log" 2>&1 &
pids+=("$!")
slurmd -D -f "$SLURM_CONF" >>"$work/slurmd.log" 2>&1 &
pids+=("$!")
up=""
for _ in $(seq 1 60); do
  if sinfo -h -N -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then up=1; break; fi
  sleep 0.5
done
[ -n "$up" ] || skip "slurmctld/slurmd did not bring the node up within 30 s ($(tail -n 1 "$work/slurmctld.log" 2>/dev/null); $(tail -n 1 "$work/slurmd.log" 2>/dev/null))"
echo "slurm up: node $node, $cpus CPUs; submitting $shards shards of: ${grid[*]}"

# The job array: one shard per task (the CLI reads SLURM_ARRAY_TASK_ID/COUNT).
start=$(date +%s)
UNIMEM_REPO="$repo" UNIMEM_OUT="$work/out" sbatch --wait --array=1-"$shards" \
  --cpus-per-task=1 --chdir="$work/out" --output="$work/out/shard-%a.out" \
  "$repo/scripts/slurm-bench.sbatch" "${grid[@]}" >"$work/sbatch.log" 2>&1 \
  || fail "sbatch --wait reported a failed array task ($(cat "$work/sbatch.log"))"
echo "array done in $(($(date +%s) - start)) s: $(ls -d "$work"/out/shard-*/ | wc -l) shard folders"

"${unimem[@]}" merge "$work/merged" "$work"/out/shard-*/ >"$work/merge.log" 2>&1 \
  || fail "unimem merge failed ($(tail -n 1 "$work/merge.log"))"
"${unimem[@]}" bench "${grid[@]}" --out "$work/whole" >"$work/whole.log" 2>&1 \
  || fail "the unsharded run failed ($(tail -n 1 "$work/whole.log"))"

node -e '
  const fs = require("node:fs");
  const [a, b] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
  if (a.meta.sweep.id !== b.meta.sweep.id) throw new Error(`sweep ids differ: ${a.meta.sweep.id} vs ${b.meta.sweep.id}`);
  if (!a.meta.complete) throw new Error("the merged result set is not complete");
  if (JSON.stringify(a.points) !== JSON.stringify(b.points)) throw new Error("merged points differ from the unsharded run");
  console.log(`merged == unsharded: ${a.points.length} points of sweep ${a.meta.sweep.id}`);
' "$work/merged/results.json" "$work/whole/results.json" || fail "the merged result differs from the unsharded run"

echo "PASS: Slurm job array of $shards shards, merged, equals the unsharded run"
cleanup
exit 0
