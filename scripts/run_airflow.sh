#!/usr/bin/env bash
# Start a local Airflow 3 with the plugin: migrate the embedded SQLite DB, create the admin login,
# deploy the examples, then run the API server, scheduler and DAG processor until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:-8080}"
VENV_BIN="$PWD/.venv/bin"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$PWD/.airflow_home}"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$PWD/dags_generated}"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__AUTH_MANAGER=airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://localhost:${PORT}/execution/"
export AIRFLOW__API__BASE_URL="http://localhost:${PORT}"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-10}"
export AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR="${AIRFLOW__AIRFLOW_CANVAS__DEPLOY_DIR:-$AIRFLOW__CORE__DAGS_FOLDER}"
mkdir -p "$AIRFLOW_HOME" "$AIRFLOW__CORE__DAGS_FOLDER"

"$VENV_BIN/airflow" db migrate >/dev/null
"$VENV_BIN/airflow" users create -u admin -p admin -r Admin -f Ada -l Admin -e admin@example.com >/dev/null 2>&1 || true
"$VENV_BIN/airflow-canvas" sync-permissions >/dev/null 2>&1 || true
# The examples go into the canvas store (editable on the canvas) and are deployed as DAGs.
"$VENV_BIN/airflow-canvas" save examples/*.json -m "Example from the repository" --author admin --deploy dev

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
"$VENV_BIN/airflow" api-server --port "$PORT" & pids+=($!)
"$VENV_BIN/airflow" scheduler & pids+=($!)
"$VENV_BIN/airflow" dag-processor & pids+=($!)
for _ in $(seq 1 120); do  # print the login once the API server answers, not lost in its start-up logs
  curl -fs "http://localhost:${PORT}/api/v2/monitor/health" >/dev/null 2>&1 && break
  sleep 1
done
cat <<BANNER

  Airflow Canvas is running on http://localhost:${PORT}   login: admin / admin
  Open "Canvas" in Airflow's left navigation. Press Ctrl-C to stop.

BANNER
wait -n "${pids[@]}"
