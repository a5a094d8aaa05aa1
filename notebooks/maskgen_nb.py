"""Helpers the maskgen notebooks share: run the `bin/maskgen` command line and read its output.

The notebooks drive maskgen the way a user does on one machine, through `bin/maskgen`; query
results come back as JSON lines (`--format json`) and are turned into pandas data frames.

Environment:
  MASKGEN_HOME     the maskgen checkout (default: the folder above this one)
  MASKGEN_DATASET  the dataset the notebooks generate and query
                   (default: <MASKGEN_HOME>/target/notebooks/dataset)
"""

import json
import os
import pathlib
import subprocess

import pandas as pd

HOME = pathlib.Path(os.environ.get("MASKGEN_HOME") or pathlib.Path(__file__).resolve().parent.parent)
BIN = HOME / "bin" / "maskgen"
DATASET = pathlib.Path(
    os.environ.get("MASKGEN_DATASET") or HOME / "target" / "notebooks" / "dataset")
EXAMPLES = HOME / "notebooks" / "examples"
OUT = DATASET.parent


def maskgen(*args, echo=True, log_lines=0):
    """Runs `bin/maskgen ARGS...`; returns its standard output, raises with its errors on failure.

    log_lines: how many of the last lines of its standard error (progress, summary) to print.
    """
    cmd = [str(BIN), *[str(a) for a in args]]
    if echo:
        print("$ maskgen " + " ".join(_quote(a) for a in cmd[1:]))
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(
            f"maskgen {args[0]} failed with exit code {p.returncode}:\n{p.stderr[-4000:]}")
    if log_lines:
        lines = [l for l in p.stderr.replace("\r", "\n").splitlines() if l.strip()]
        print("\n".join(lines[-log_lines:]))
    return p.stdout


def sql(query, dataset=DATASET):
    """The result of a Spark SQL query over the dataset's `masks` and `images`, as a data frame."""
    out = maskgen("sql", "--dataset", dataset, "--format", "json", query, echo=False)
    return pd.DataFrame([json.loads(line) for line in out.splitlines() if line.strip()])


def _quote(a):
    return a if a and all(c.isalnum() or c in "-_./=:,[]" for c in a) else "'" + a.replace("'", "'\\''") + "'"
