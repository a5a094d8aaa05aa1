#!/usr/bin/env bash
# Shared part of deploy/submit-*.sh: option parsing, the maskgen Spark settings (GPU scheduling,
# native memory overhead, Kryo, DJL offline) and the final spark-submit call. Sourced, not run.
#
# A submit script sets the cluster-manager defaults (MG_*), calls mg_parse "$@", adds its own
# settings with mg_conf / MG_SUBMIT_ARGS, then calls mg_submit.

# Defaults; the caller may change them before mg_parse.
MG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MG_MAIN_CLASS="io.maskgen.job.Main"
MG_MASTER=""
MG_DEPLOY_MODE="client"
MG_JAR=""
MG_NAME="maskgen"
MG_EXECUTORS=""
MG_EXECUTOR_CORES="4"
MG_EXECUTOR_MEMORY="16g"
MG_MEMORY_OVERHEAD="12g"
MG_DRIVER_MEMORY="4g"
MG_GPUS_PER_EXECUTOR="1"
MG_GPUS_PER_TASK="1"
MG_DISCOVERY_SCRIPT="/opt/maskgen/conf/getGpusResources.sh"
MG_DRY_RUN=0
MG_CONFS=()
MG_SUBMIT_ARGS=()
MG_APP_ARGS=()
# Options only one cluster manager knows: name -> variable, filled by mg_parse.
declare -A MG_EXTRA_OPTS=()

mg_die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

mg_usage_common() {
  cat <<'USAGE'
Common options:
  --jar PATH               the shaded jar (default: engine-job/target/engine-job-*-spark.jar)
  --name NAME              Spark application name (default: maskgen)
  --executors N            number of executors (default: dynamic allocation / cluster default)
  --executor-cores N       cores per executor, also the cores of one task (default: 4)
  --executor-memory SIZE   JVM heap per executor (default: 16g)
  --memory-overhead SIZE   native memory per executor: model weights, ONNX Runtime / PyTorch
                           arenas, CUDA context (default: 12g)
  --driver-memory SIZE     (default: 4g)
  --gpus-per-executor N    GPUs per executor, 0 for a CPU-only run (default: 1)
  --gpus-per-task N        GPUs per task, e.g. 0.5 to run two tasks per GPU (default: 1)
  --discovery-script PATH  GPU discovery script on the executors' hosts
                           (default: /opt/maskgen/conf/getGpusResources.sh)
  --conf KEY=VALUE         any Spark setting, repeatable; wins over the settings above
  --dry-run                print the spark-submit command instead of running it
  -h, --help               this help
  -- ARGS...               the maskgen command and its options, e.g. -- generate --input ... --output ...
USAGE
}

mg_need_value() {
  if [ "$#" -lt 2 ] || [ -z "$2" ]; then
    mg_die "option $1 needs a value"
  fi
}

mg_check_int() {
  [[ "$2" =~ ^[0-9]+$ ]] || mg_die "invalid $1: '$2' (expected a whole number)"
}

mg_check_amount() {
  [[ "$2" =~ ^[0-9]+([.][0-9]+)?$ ]] || mg_die "invalid $1: '$2' (expected a number such as 1 or 0.5)"
}

mg_check_size() {
  [[ "$2" =~ ^[0-9]+[kKmMgGtT]$ ]] || mg_die "invalid $1: '$2' (expected a size such as 512m or 16g)"
}

# Parses the command line into the MG_* variables. Options named in MG_EXTRA_OPTS
# (e.g. [--queue]=MG_QUEUE) are accepted too, each with one value.
mg_parse() {
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --jar) mg_need_value "$@"; MG_JAR="$2"; shift 2 ;;
      --name) mg_need_value "$@"; MG_NAME="$2"; shift 2 ;;
      --master) mg_need_value "$@"; MG_MASTER="$2"; shift 2 ;;
      --executors) mg_need_value "$@"; mg_check_int "$1" "$2"; MG_EXECUTORS="$2"; shift 2 ;;
      --executor-cores) mg_need_value "$@"; mg_check_int "$1" "$2"; MG_EXECUTOR_CORES="$2"; shift 2 ;;
      --executor-memory) mg_need_value "$@"; mg_check_size "$1" "$2"; MG_EXECUTOR_MEMORY="$2"; shift 2 ;;
      --memory-overhead) mg_need_value "$@"; mg_check_size "$1" "$2"; MG_MEMORY_OVERHEAD="$2"; shift 2 ;;
      --driver-memory) mg_need_value "$@"; mg_check_size "$1" "$2"; MG_DRIVER_MEMORY="$2"; shift 2 ;;
      --gpus-per-executor) mg_need_value "$@"; mg_check_int "$1" "$2"; MG_GPUS_PER_EXECUTOR="$2"; shift 2 ;;
      --gpus-per-task) mg_need_value "$@"; mg_check_amount "$1" "$2"; MG_GPUS_PER_TASK="$2"; shift 2 ;;
      --discovery-script) mg_need_value "$@"; MG_DISCOVERY_SCRIPT="$2"; shift 2 ;;
      --conf)
        mg_need_value "$@"
        [[ "$2" == *=* ]] || mg_die "invalid --conf: '$2' (expected KEY=VALUE)"
        MG_CONFS+=("$2"); shift 2 ;;
      --dry-run) MG_DRY_RUN=1; shift ;;
      -h|--help) usage; exit 0 ;;
      --) shift; MG_APP_ARGS=("$@"); break ;;
      *)
        if [ -n "$1" ] && [ -n "${MG_EXTRA_OPTS[$1]+set}" ]; then
          mg_need_value "$@"
          printf -v "${MG_EXTRA_OPTS[$1]}" '%s' "$2"
          shift 2
        else
          mg_die "unknown option '$1' (see --help; maskgen's own options go after --)"
        fi ;;
    esac
  done
  [ -n "$MG_MASTER" ] || mg_die "missing --master"
  [ "${#MG_APP_ARGS[@]}" -gt 0 ] \
    || mg_die "no maskgen command: add it after --, e.g. -- generate --input s3a://b/in --output s3a://b/out"
}

# The jar: --jar, or the highest version of engine-job/target/engine-job-*-spark.jar here.
# URIs (local://, s3a://, hdfs://) are passed on unchecked.
mg_resolve_jar() {
  if [ -z "$MG_JAR" ]; then
    local found
    found="$({ find "$MG_ROOT/engine-job/target" -maxdepth 1 -name 'engine-job-*-spark.jar' \
      2>/dev/null || true; } | sort -V | tail -n 1)"
    [ -n "$found" ] \
      || mg_die "no jar in $MG_ROOT/engine-job/target: build it with 'mvn -B package -DskipTests' or pass --jar"
    MG_JAR="$found"
  elif [[ "$MG_JAR" != *://* ]] && [ ! -f "$MG_JAR" ]; then
    mg_die "--jar $MG_JAR: no such file"
  fi
}

# Adds one Spark setting (before the user's --conf, which therefore wins).
mg_conf() {
  MG_SUBMIT_ARGS+=(--conf "$1")
}

# Settings every cluster manager shares.
mg_common_confs() {
  mg_conf "spark.executor.cores=$MG_EXECUTOR_CORES"
  mg_conf "spark.task.cpus=$MG_EXECUTOR_CORES"
  mg_conf "spark.executor.memory=$MG_EXECUTOR_MEMORY"
  mg_conf "spark.executor.memoryOverhead=$MG_MEMORY_OVERHEAD"
  mg_conf "spark.driver.memory=$MG_DRIVER_MEMORY"
  if [ -n "$MG_EXECUTORS" ]; then
    mg_conf "spark.executor.instances=$MG_EXECUTORS"
  fi
  if [ "$MG_GPUS_PER_EXECUTOR" != "0" ]; then
    mg_conf "spark.executor.resource.gpu.amount=$MG_GPUS_PER_EXECUTOR"
    mg_conf "spark.task.resource.gpu.amount=$MG_GPUS_PER_TASK"
    mg_conf "spark.executor.resource.gpu.discoveryScript=$MG_DISCOVERY_SCRIPT"
  fi
  mg_conf "spark.serializer=org.apache.spark.serializer.KryoSerializer"
  mg_conf "spark.kryo.registrator=io.maskgen.job.JobKryoRegistrator"
  mg_conf "spark.speculation=false"
  mg_conf "spark.task.maxFailures=4"
  mg_conf "spark.executorEnv.DJL_OFFLINE=true"
  mg_conf "spark.executor.extraJavaOptions=-Dai.djl.offline=true -Doffline=true"
  mg_conf "spark.driver.extraJavaOptions=-Dai.djl.offline=true -Doffline=true"
}

# Runs (or, with --dry-run, prints) spark-submit with everything collected.
mg_submit() {
  local submit="spark-submit"
  if [ -n "${SPARK_HOME:-}" ]; then
    submit="$SPARK_HOME/bin/spark-submit"
  fi
  local conf
  for conf in "${MG_CONFS[@]}"; do
    MG_SUBMIT_ARGS+=(--conf "$conf")
  done
  local cmd=("$submit" --master "$MG_MASTER" --deploy-mode "$MG_DEPLOY_MODE" --name "$MG_NAME"
    --class "$MG_MAIN_CLASS" "${MG_SUBMIT_ARGS[@]}" "$MG_JAR" "${MG_APP_ARGS[@]}")
  if [ "$MG_DRY_RUN" = 1 ]; then
    printf '%q' "${cmd[0]}"
    printf ' %q' "${cmd[@]:1}"
    printf '\n'
    return 0
  fi
  exec "${cmd[@]}"
}
