#!/usr/bin/env bash
# Runs every notebook in this folder, in order, headless, against a dataset the first notebook
# generates; fails on the first cell that fails. Executed copies (with their pictures) go to
# target/notebooks/ in the checkout.
#
#   notebooks/run.sh                 # all notebooks
#   notebooks/run.sh 02-*.ipynb      # some (the dataset of an earlier run is reused)
#
# Needs Jupyter's nbconvert and a Python 3 kernel with matplotlib and pandas
# (Debian: apt-get install jupyter-nbconvert python3-ipykernel python3-matplotlib python3-pandas).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MASKGEN_HOME="$(cd "$here/.." && pwd)"
export MASKGEN_HOME
out="$MASKGEN_HOME/target/notebooks"
export MASKGEN_DATASET="${MASKGEN_DATASET:-$out/dataset}"
export PYDEVD_DISABLE_FILE_VALIDATION=1  # quiet the kernel debugger's start-up notes

nbconvert="$(command -v jupyter-nbconvert || true)"
if [ -z "$nbconvert" ]; then
  echo "notebooks: jupyter-nbconvert not found; install it (apt-get install jupyter-nbconvert python3-ipykernel python3-matplotlib python3-pandas)" >&2
  exit 2
fi

cd "$here"
if [ $# -eq 0 ]; then
  set -- [0-9][0-9]-*.ipynb
  rm -rf "$MASKGEN_DATASET"
fi
mkdir -p "$out"
for nb in "$@"; do
  echo "notebooks: running $nb"
  start=$SECONDS
  if ! "$nbconvert" --to notebook --execute --ExecutePreprocessor.timeout=1200 \
      --ExecutePreprocessor.kernel_name=python3 --output-dir "$out" "$nb"; then
    echo "notebooks: $nb failed (the executed copy, up to the failing cell, is in $out)" >&2
    exit 1
  fi
  echo "notebooks: $nb ok ($((SECONDS - start)) s)"
done
