#!/usr/bin/env bash
# The fixed cost of a run: times `maskgen generate` refreshes that find nothing new, over
#   t10:   100 tar shards of 10 small images  (1,000 images)
#   t100:  100 tar shards of 100 small images (10,000 images)
#   loose: 1,000 loose image files
# and, for scale, the start of the same JVM and Spark session alone (`maskgen sql ... SELECT 1`).
#
#   engine-job/bench/refresh-fixed-cost.sh [WORK_DIR] [REPEATS]
#
# WORK_DIR (default /tmp/maskgen-refresh-bench) receives the inputs and the datasets; REPEATS
# (default 3) timed refreshes of each. Needs the build folders (mvn -B -pl engine-job -am
# -DskipTests package, which also compiles the test classes) and python3 for the inputs.
#
# The first run: with FIRST_RUN=generate the datasets are made by `maskgen generate` itself (an
# hour or more on a 2-core machine: the model runs on 11,100 images). By default they are made by
# RefreshBenchSeed (engine-job/src/test/java/io/maskgen/job/RefreshBenchSeed.java), which writes
# what such a run leaves as far as a refresh reads it: one `images` row per image under the same
# generator, with the image's real sha256 and its file's size and modification time, one Parquet
# file per shard, and the snapshot; no masks. A refresh reads neither masks nor images there.
#
# Prints one line per timed command: the process's wall seconds, then the run report's counts.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
work="${1:-/tmp/maskgen-refresh-bench}"
repeats="${2:-3}"
gen_args=(--points-per-side 1 --clip none --no-progress)
mkdir -p "$work"

if [ ! -f engine-job/target/classpath.txt ] || [ ! -d engine-job/target/test-classes ]; then
  echo "build first: mvn -B -pl engine-job -am -DskipTests package" >&2
  exit 2
fi
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3

declare -A inputs=(
  [t10]="$work/in-t10/tars"
  [t100]="$work/in-t100/tars"
  [loose]="$work/in-loose/loose"
)
make_inputs=engine-job/bench/make-refresh-inputs.py
[ -d "$work/in-t10/tars" ] || "$python" "$make_inputs" "$work/in-t10" 100 10 0
[ -d "$work/in-t100/tars" ] || "$python" "$make_inputs" "$work/in-t100" 100 100 0
[ -d "$work/in-loose/loose" ] || "$python" "$make_inputs" "$work/in-loose" 0 0 1000

cp="engine-job/target/test-classes:engine-job/target/classes"
cp="$cp:model-udf/target/classes:dataset-schema/target/classes"
cp="$cp:$(tr ':' '\n' <engine-job/target/classpath.txt | grep -v '/io/maskgen/' | paste -sd: -)"
seed() {
  java -Xmx4g --add-opens=java.base/java.lang=ALL-UNNAMED \
    --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    --add-opens=java.base/java.io=ALL-UNNAMED \
    --add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
    -Dmaskgen.home="$root" -Dlog4j.configurationFile="$root/conf/log4j2.properties" \
    -cp "$cp" io.maskgen.job.RefreshBenchSeed "$@"
}

report() { # the newest run report of a dataset, in one line
  local f
  f="$(ls -t "$1"/_runs/*.json | head -1)"
  "$python" - "$f" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
f = r.get("refresh") or {}
s = r["stage_seconds"]
steps = " ".join("%s=%.2f" % (k[:-5], v) for k, v in s.items() if k.endswith("_wall"))
print("report %.1f s, processed %d, skipped %d, files unchanged %s of %s, snapshot %s; %s"
      % (r["seconds"], r["images"], r["images_skipped"], f.get("files_unchanged"),
         f.get("files"), r["snapshot"], steps))
EOF
}

for name in t10 t100 loose; do
  out="$work/out-$name"
  if [ ! -d "$out/_maskgen" ]; then
    if [ "${FIRST_RUN:-seed}" = generate ]; then
      bin/maskgen generate --input "${inputs[$name]}" --output "$out" "${gen_args[@]}"
    else
      seed --input "${inputs[$name]}" --output "$out" "${gen_args[@]}"
    fi
  fi
done

echo "machine: $(nproc) cores, $(uname -m), $(java -version 2>&1 | head -1);" \
  "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$repeats"); do
  start=$(date +%s.%N)
  bin/maskgen sql --dataset "$work/out-t10" "SELECT 1" >/dev/null 2>&1
  printf 'jvm+spark start (sql SELECT 1): %.1f s wall\n' "$(echo "$(date +%s.%N) - $start" | bc)"
  for name in t10 t100 loose; do
    out="$work/out-$name"
    start=$(date +%s.%N)
    bin/maskgen generate --input "${inputs[$name]}" --output "$out" "${gen_args[@]}" \
      >"$work/refresh-$name.log" 2>&1 || { cat "$work/refresh-$name.log" >&2; exit 1; }
    wall="$(echo "$(date +%s.%N) - $start" | bc)"
    printf '%-6s refresh: %.1f s wall; %s\n' "$name" "$wall" "$(report "$out")"
  done
done
# Without the list of recorded files kept beside the snapshot (as after another generator's run):
# the refresh derives it from the images table once, and keeps it.
for name in t10 t100 loose; do
  out="$work/out-$name"
  rm -rf "$out/_maskgen/files"
  start=$(date +%s.%N)
  bin/maskgen generate --input "${inputs[$name]}" --output "$out" "${gen_args[@]}" \
    >"$work/derive-$name.log" 2>&1 || { cat "$work/derive-$name.log" >&2; exit 1; }
  wall="$(echo "$(date +%s.%N) - $start" | bc)"
  printf '%-6s refresh, list derived from the table: %.1f s wall; %s\n' "$name" "$wall" \
    "$(report "$out")"
done
if [ "${VERIFY_CONTENT:-0}" = 1 ]; then
  for name in t10 t100 loose; do
    out="$work/out-$name"
    start=$(date +%s.%N)
    bin/maskgen generate --input "${inputs[$name]}" --output "$out" "${gen_args[@]}" \
      --verify-content >"$work/verify-$name.log" 2>&1
    wall="$(echo "$(date +%s.%N) - $start" | bc)"
    printf '%-6s --verify-content: %.1f s wall; %s\n' "$name" "$wall" "$(report "$out")"
  done
fi
