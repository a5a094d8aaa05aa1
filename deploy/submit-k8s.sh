#!/usr/bin/env bash
# Submits a maskgen command to Kubernetes in cluster mode, with the maskgen image (deploy/Dockerfile)
# for the driver and the executors and NVIDIA GPUs (nvidia.com/gpu) for the executors.
#
#   deploy/submit-k8s.sh --master k8s://https://kube-api:6443 --image registry/maskgen:0.1.0 \
#     --namespace maskgen --executors 8 [--dry-run] \
#     -- generate --input 's3a://bucket/sa1b/sa_0000*.tar' --output s3a://bucket/masks/v1 --device gpu
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/submit-common.sh
. "$(dirname "$0")/lib/submit-common.sh"

usage() {
  cat <<'USAGE'
Usage: deploy/submit-k8s.sh --master k8s://https://HOST:PORT --image IMAGE [options] -- COMMAND [ARGS...]

The jar is read from the image (default local:///opt/maskgen/jars/maskgen-spark.jar).

Kubernetes options:
  --master URL             k8s://https://HOST:PORT (required; in a pod:
                           k8s://https://kubernetes.default.svc)
  --image IMAGE            container image with Spark and maskgen (required)
  --namespace NS           (default: default)
  --service-account NAME   service account of the driver, allowed to create pods (default: spark)
  --pull-secret NAME       image pull secret (default: none)
USAGE
  mg_usage_common
}

# shellcheck disable=SC2034 # read by lib/submit-common.sh
MG_DEPLOY_MODE="cluster"
# shellcheck disable=SC2034
MG_JAR="local:///opt/maskgen/jars/maskgen-spark.jar"
MG_IMAGE=""
MG_NAMESPACE="default"
MG_SERVICE_ACCOUNT="spark"
MG_PULL_SECRET=""
# shellcheck disable=SC2034 # the MG_* variables here are read by lib/submit-common.sh
MG_EXTRA_OPTS=([--image]=MG_IMAGE [--namespace]=MG_NAMESPACE [--service-account]=MG_SERVICE_ACCOUNT
  [--pull-secret]=MG_PULL_SECRET)
mg_parse "$@"
[[ "$MG_MASTER" == k8s://* ]] || mg_die "invalid --master: '$MG_MASTER' (expected k8s://https://HOST:PORT)"
[ -n "$MG_IMAGE" ] || mg_die "missing --image (the maskgen image built from deploy/Dockerfile)"
mg_resolve_jar
mg_common_confs
mg_conf "spark.kubernetes.container.image=$MG_IMAGE"
mg_conf "spark.kubernetes.namespace=$MG_NAMESPACE"
mg_conf "spark.kubernetes.authenticate.driver.serviceAccountName=$MG_SERVICE_ACCOUNT"
if [ -n "$MG_PULL_SECRET" ]; then
  mg_conf "spark.kubernetes.container.image.pullSecrets=$MG_PULL_SECRET"
fi
if [ "$MG_GPUS_PER_EXECUTOR" != "0" ]; then
  # Executor pods request nvidia.com/gpu; the script in the image lists what the pod got.
  mg_conf "spark.executor.resource.gpu.vendor=nvidia.com"
fi
# The pod's memory limit is heap + overhead; a native allocation beyond it kills the pod (OOMKilled).
mg_conf "spark.kubernetes.executor.request.cores=$MG_EXECUTOR_CORES"
mg_conf "spark.kubernetes.driver.request.cores=1"
mg_submit
