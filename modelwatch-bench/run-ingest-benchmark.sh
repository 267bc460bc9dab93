#!/usr/bin/env bash
# Builds the benchmark jar and runs the ingest load benchmark (see BENCHMARKS.md).
#
#   modelwatch-bench/run-ingest-benchmark.sh                  # defaults: 8 clients, 60 s + 20 s HTTP, ~150 s in all
#   modelwatch-bench/run-ingest-benchmark.sh --duration 30 --clients 4
#   modelwatch-bench/run-ingest-benchmark.sh --in-process-load   # the load generator in the server's JVM, as before
#   SKIP_BUILD=1 JAVA_OPTS="-XX:StartFlightRecording=filename=ingest.jfr" modelwatch-bench/run-ingest-benchmark.sh
#
# Environment: SKIP_BUILD=1 uses the jar already built; BENCH_JAR runs that jar instead (a copy survives a
# rebuild of the tree while it runs); JAVA_OPTS adds JVM options; JAVA_GC selects the collector (default
# -XX:+UseParallelGC, as ./modelwatch runs the server); JAVA_HEAP sets the
# fixed heap (default 6g, the JVM's own default on a 24 GiB machine) of the server's JVM (the load generator's
# own JVM, started by the benchmark, takes -Xmx1g and none of these options); QUIET_WAIT_S (default 180) is how
# long to wait for the machine to fall quiet (under 20% busy over 2 s) before starting, since other work
# on a 2-core machine skews every figure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
  mvn -o -q -B -pl modelwatch-bench -am package -DskipTests
fi
jar="${BENCH_JAR:-$(ls modelwatch-bench/target/modelwatch-bench-*-all.jar | head -1)}"

busy_percent() {
  # machine-wide busy share of all CPUs over 2 s, from /proc/stat (user..steal, idle = idle + iowait)
  local a b
  a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  local total=0 idle=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  idle=$((b[4] - a[4] + b[5] - a[5]))
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
waited=0
while :; do
  busy=$(busy_percent)
  if (( busy < 20 )); then break; fi
  if (( waited >= ${QUIET_WAIT_S:-180} )); then
    echo "warning: the machine is still ${busy}% busy with other work; the figures will be low and noisy" >&2
    break
  fi
  echo "machine ${busy}% busy with other work; waiting for it to fall quiet..." >&2
  waited=$((waited + 2))
done

echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2/1048576}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
java -version 2>&1 | head -1
heap="${JAVA_HEAP:-6g}"
# shellcheck disable=SC2086
exec java -Xms"$heap" -Xmx"$heap" ${JAVA_GC:--XX:+UseParallelGC} ${JAVA_OPTS:-} -jar "$jar" "$@"
