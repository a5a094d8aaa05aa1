"""Scheduled maskgen refresh for Apache Airflow (2.4 or later).

Runs deploy/submit-k8s.sh (or submit-yarn.sh) from a maskgen checkout or image on the Airflow
worker once a day. Each run refreshes the dataset at maskgen_output in place (new and changed
images processed, the others skipped; readers see it before or after the run, never between; a
killed run leaves it as it was), then summarises it with `maskgen inspect` through the same
submit script.

Set these Airflow Variables (or keep the defaults):
  maskgen_home         folder with deploy/ and conf/ (default /opt/maskgen)
  maskgen_submit       submit script relative to maskgen_home (default deploy/submit-k8s.sh)
  maskgen_submit_args  cluster options, e.g. "--master k8s://https://kube-api:6443
                       --image registry.example.com/maskgen:0.1.0 --namespace maskgen
                       --executors 8"
  maskgen_input        e.g. s3a://BUCKET/sa1b/sa_*.tar
  maskgen_output       e.g. s3a://BUCKET/masks
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

DEFAULT_ARGS = {
    "owner": "maskgen",
    # Spark already retries failed tasks; a whole-run retry only helps after an outage.
    "retries": 1,
    "retry_delay": timedelta(minutes=30),
}

SUBMIT = (
    "{{ var.value.get('maskgen_home', '/opt/maskgen') }}/"
    "{{ var.value.get('maskgen_submit', 'deploy/submit-k8s.sh') }} "
    "{{ var.value.get('maskgen_submit_args', '') }}"
)
OUTPUT = "{{ var.value.maskgen_output }}"

with DAG(
    dag_id="maskgen_refresh",
    description="Refresh the mask dataset from the image shards",
    schedule="0 2 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["maskgen"],
) as dag:
    generate = BashOperator(
        task_id="generate",
        bash_command=(
            SUBMIT
            + " --name maskgen-refresh-{{ ds_nodash }}"
            + " --conf spark.kubernetes.submission.waitAppCompletion=true"
            + " -- generate --input '{{ var.value.maskgen_input }}'"
            + " --output " + OUTPUT
            + " --run-id refresh-{{ ds_nodash }} --retry-failed --device gpu --no-progress"
        ),
        execution_timeout=timedelta(hours=24),
    )

    inspect = BashOperator(
        task_id="inspect",
        bash_command=(
            SUBMIT
            + " --name maskgen-inspect-{{ ds_nodash }} --gpus-per-executor 0"
            + " -- inspect --dataset " + OUTPUT
        ),
        execution_timeout=timedelta(hours=2),
    )

    generate >> inspect
