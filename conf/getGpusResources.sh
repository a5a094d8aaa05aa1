#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs of this host as a Spark ResourceInformation JSON,
# e.g. {"name": "gpu", "addresses": ["0", "1"]}. Honours CUDA_VISIBLE_DEVICES when it is set.
set -euo pipefail

if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  IFS=',' read -r -a ids <<<"$CUDA_VISIBLE_DEVICES"
elif command -v nvidia-smi >/dev/null 2>&1; then
  mapfile -t ids < <(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ')
else
  ids=()
fi

out='{"name": "gpu", "addresses": ['
sep=''
for id in "${ids[@]}"; do
  [ -n "$id" ] || continue
  out+="$sep\"$id\""
  sep=', '
done
out+=']}'
echo "$out"
