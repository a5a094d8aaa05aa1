#!/usr/bin/env bash
# Search latency benchmark (io.maskgen.job.bench.SearchBenchmark, in engine-job's tests): builds the
# modules with the reactor (no install), then runs the benchmark on local[2]. Arguments go to the
# benchmark: [--dim N] [--sizes 10000,100000,1000000] [--dir DIR] [--no-sql].
# Data sets are written to engine-job/target/search-bench/ (reused on later runs).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$home"
mvn -B -q -o -pl engine-job -am test-compile
cp="$home/engine-job/target/test-classes:$home/engine-job/target/classes"
cp="$cp:$home/model-udf/target/classes:$home/dataset-schema/target/classes"
cp="$cp:$(tr ':' '\n' <engine-job/target/classpath.txt | grep -v '/io/maskgen/' | paste -sd: -)"
opens="$(sed -n 's|.*<spark.java.opens>\(.*\)</spark.java.opens>.*|\1|p' pom.xml)"
cd engine-job
# shellcheck disable=SC2086
exec java -Xmx4g $opens -Dai.djl.offline=true -Doffline=true \
  -Dlog4j.configurationFile="$home/conf/log4j2.properties" \
  -cp "$cp" \
  io.maskgen.job.bench.SearchBenchmark "$@"
