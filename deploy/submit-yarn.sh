#!/usr/bin/env bash
# Submits a maskgen command to YARN. Spark maps its "gpu" resource to YARN's yarn.io/gpu; YARN
# does not tell Spark the GPU addresses, so the discovery script must exist on every NodeManager
# host (default /opt/maskgen/conf/getGpusResources.sh; see deploy/OPERATIONS.md).
#
#   deploy/submit-yarn.sh --queue gpu --executors 8 [--dry-run] \
#     -- generate --input 's3a://bucket/sa1b/sa_0000*.tar' --output s3a://bucket/masks/v1 --device gpu
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/submit-common.sh
. "$(dirname "$0")/lib/submit-common.sh"

usage() {
  cat <<'USAGE'
Usage: deploy/submit-yarn.sh [options] -- COMMAND [ARGS...]

Runs the driver in the YARN application master (cluster mode) unless --deploy-mode client.

YARN options:
  --queue NAME             YARN queue (default: the cluster's default queue)
  --deploy-mode MODE       cluster (default) or client
USAGE
  mg_usage_common
}

MG_MASTER="yarn"
MG_DEPLOY_MODE="cluster"
MG_QUEUE=""
# shellcheck disable=SC2034 # the MG_* variables here are read by lib/submit-common.sh
MG_EXTRA_OPTS=([--deploy-mode]=MG_DEPLOY_MODE [--queue]=MG_QUEUE)
mg_parse "$@"
[ "$MG_MASTER" = yarn ] || mg_die "invalid --master: '$MG_MASTER' (this script submits to yarn)"
[[ "$MG_DEPLOY_MODE" == client || "$MG_DEPLOY_MODE" == cluster ]] \
  || mg_die "invalid --deploy-mode: '$MG_DEPLOY_MODE' (allowed: client, cluster)"
mg_resolve_jar
mg_common_confs
if [ -n "$MG_QUEUE" ]; then
  mg_conf "spark.yarn.queue=$MG_QUEUE"
fi
# A failed application is not retried as a whole: tasks are retried, and a rerun is cheap to start.
mg_conf "spark.yarn.maxAppAttempts=1"
mg_submit
