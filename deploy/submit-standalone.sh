#!/usr/bin/env bash
# Submits a maskgen command to a Spark standalone cluster whose workers offer GPUs
# (spark.worker.resource.gpu.amount and a discovery script in each worker's spark-defaults.conf;
# see deploy/OPERATIONS.md).
#
#   deploy/submit-standalone.sh --master spark://master:7077 --executors 8 [--dry-run] \
#     -- generate --input 's3a://bucket/sa1b/sa_0000*.tar' --output s3a://bucket/masks/v1 --device gpu
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/submit-common.sh
. "$(dirname "$0")/lib/submit-common.sh"

usage() {
  cat <<'USAGE'
Usage: deploy/submit-standalone.sh --master spark://HOST:7077 [options] -- COMMAND [ARGS...]

Runs the driver here (client mode; --deploy-mode cluster runs it on a worker).

Standalone options:
  --master URL             spark://HOST:PORT (required)
  --deploy-mode MODE       client (default) or cluster
USAGE
  mg_usage_common
}

# shellcheck disable=SC2034 # the MG_* variables here are read by lib/submit-common.sh
MG_EXTRA_OPTS=([--deploy-mode]=MG_DEPLOY_MODE)
mg_parse "$@"
[[ "$MG_MASTER" == spark://* ]] || mg_die "invalid --master: '$MG_MASTER' (expected spark://HOST:PORT)"
[[ "$MG_DEPLOY_MODE" == client || "$MG_DEPLOY_MODE" == cluster ]] \
  || mg_die "invalid --deploy-mode: '$MG_DEPLOY_MODE' (allowed: client, cluster)"
mg_resolve_jar
mg_common_confs
if [ -n "$MG_EXECUTORS" ]; then
  # Standalone sizes an application by its cores: cap them too.
  mg_conf "spark.cores.max=$((MG_EXECUTORS * MG_EXECUTOR_CORES))"
fi
mg_submit
