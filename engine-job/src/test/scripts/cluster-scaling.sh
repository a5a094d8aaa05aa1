#!/usr/bin/env bash
# Throughput of `maskgen bench` on a Spark standalone cluster of one, then two Workers on loopback
# (each one executor of one core and 1 GiB; see StandaloneCluster). Results: OUT/workers-1 and
# OUT/workers-2 (throughput.md, results.json). Builds with the reactor (no install).
#
#   engine-job/src/test/scripts/cluster-scaling.sh OUT [maskgen bench options]
#   e.g. engine-job/src/test/scripts/cluster-scaling.sh /tmp/scaling \
#          --images notebooks/examples --sizes 1 --copies 4
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
cd "$root"
if [ $# -lt 1 ]; then
  echo "usage: $0 OUT_DIR [maskgen bench options]" >&2
  exit 2
fi
cpfile="$(mktemp -t maskgen-test-cp.XXXXXX)"
mvn -B -q -o -pl engine-job -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >/dev/null
cp="$root/engine-job/target/test-classes:$root/engine-job/target/classes:$(cat "$cpfile")"
rm -f "$cpfile"
opens=$(sed -n 's:.*<spark.java.opens>\(.*\)</spark.java.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
exec java -Xmx2g $opens -Dai.djl.offline=true -Doffline=true \
  -Dlog4j.configurationFile="$root/conf/log4j2.properties" \
  -cp "$cp" io.maskgen.job.cluster.ClusterScalingBench "$@"
