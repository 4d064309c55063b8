"""Where Airflow 1/2 operator import paths live in Airflow 3, and which PyPI package provides a path.

Airflow 3 moved the core operators into the ``standard`` provider (and a few into ``common-sql`` and
``smtp``); files written for Airflow 2 (dag-factory YAML, Elyra pipelines) still name the old paths."""

from __future__ import annotations

_STD = "airflow.providers.standard"

# Old module -> new module; the class name stays unless RENAMED_CLASSES says otherwise.
MOVED_MODULES: dict[str, str] = {
    # Airflow 2 core -> standard provider
    "airflow.operators.bash": f"{_STD}.operators.bash",
    "airflow.operators.python": f"{_STD}.operators.python",
    "airflow.operators.empty": f"{_STD}.operators.empty",
    "airflow.operators.dummy": f"{_STD}.operators.empty",
    "airflow.operators.trigger_dagrun": f"{_STD}.operators.trigger_dagrun",
    "airflow.operators.datetime": f"{_STD}.operators.datetime",
    "airflow.operators.weekday": f"{_STD}.operators.weekday",
    "airflow.operators.latest_only": f"{_STD}.operators.latest_only",
    "airflow.operators.branch": f"{_STD}.operators.branch",
    "airflow.operators.smooth": f"{_STD}.operators.smooth",
    "airflow.operators.email": "airflow.providers.smtp.operators.smtp",
    "airflow.operators.generic_transfer": "airflow.providers.common.sql.operators.generic_transfer",
    "airflow.operators.sql": "airflow.providers.common.sql.operators.sql",
    "airflow.sensors.bash": f"{_STD}.sensors.bash",
    "airflow.sensors.python": f"{_STD}.sensors.python",
    "airflow.sensors.date_time": f"{_STD}.sensors.date_time",
    "airflow.sensors.time_sensor": f"{_STD}.sensors.time",
    "airflow.sensors.time_delta": f"{_STD}.sensors.time_delta",
    "airflow.sensors.weekday": f"{_STD}.sensors.weekday",
    "airflow.sensors.filesystem": f"{_STD}.sensors.filesystem",
    "airflow.sensors.external_task": f"{_STD}.sensors.external_task",
    "airflow.sensors.sql": "airflow.providers.common.sql.sensors.sql",
    # Airflow 1.10 module names (Elyra's component sources still point there)
    "airflow.operators.bash_operator": f"{_STD}.operators.bash",
    "airflow.operators.python_operator": f"{_STD}.operators.python",
    "airflow.operators.dummy_operator": f"{_STD}.operators.empty",
    "airflow.operators.email_operator": "airflow.providers.smtp.operators.smtp",
    "airflow.operators.http_operator": "airflow.providers.http.operators.http",
    "airflow.operators.latest_only_operator": f"{_STD}.operators.latest_only",
    "airflow.operators.dagrun_operator": f"{_STD}.operators.trigger_dagrun",
    "airflow.sensors.http_sensor": "airflow.providers.http.sensors.http",
    "airflow.sensors.external_task_sensor": f"{_STD}.sensors.external_task",
    "airflow.contrib.sensors.file_sensor": f"{_STD}.sensors.filesystem",
}

RENAMED_CLASSES: dict[str, str] = {
    "airflow.providers.http.operators.http.SimpleHttpOperator": "airflow.providers.http.operators.http.HttpOperator",
    f"{_STD}.operators.empty.DummyOperator": f"{_STD}.operators.empty.EmptyOperator",
    "airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator": "",  # unchanged, listed for clarity
    f"{_STD}.sensors.time.TimeSensorAsync": f"{_STD}.sensors.time.TimeSensor",
}

# Under these namespaces the provider is two levels deep: airflow.providers.apache.spark -> apache-spark.
_NESTED_NAMESPACES = {"apache", "common", "microsoft", "cncf", "dbt", "atlassian"}


def airflow3_path(path: str) -> str:
    """The Airflow 3 home of an operator import path (the path itself when it did not move)."""
    module, _, cls = path.rpartition(".")
    new_path = f"{MOVED_MODULES.get(module, module)}.{cls}"
    return RENAMED_CLASSES.get(new_path) or new_path


def provider_package(path: str) -> str | None:
    """The PyPI distribution that ships an ``airflow.providers...`` path, or None for core paths."""
    parts = path.split(".")
    if len(parts) < 3 or parts[:2] != ["airflow", "providers"]:
        return None
    name = parts[2]
    if name in _NESTED_NAMESPACES and len(parts) > 3:
        name = f"{name}-{parts[3]}"
    return f"apache-airflow-providers-{name.replace('_', '-')}"
