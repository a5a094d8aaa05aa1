#!/usr/bin/env bash
# Runs Sa1bRoundTripBench from the build folders (after mvn -pl engine-job -am test-compile).
set -euo pipefail
cd "$(dirname "$0")/../.."
cp="engine-job/target/test-classes:engine-job/target/classes:model-udf/target/classes:dataset-schema/target/classes:$(tr ':' '\n' <engine-job/target/classpath.txt | grep -v '/io/maskgen/' | paste -sd: -)"
exec java -Xmx6g --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true \
  -Dlog4j.configurationFile=conf/log4j2.properties \
  -cp "$cp" io.maskgen.job.bench.Sa1bRoundTripBench "$@"
