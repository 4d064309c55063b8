"""Tool code run from the API server cannot read airflow.cfg, the metadata DB or anything else in
AIRFLOW_HOME (the review read both from a node test)."""

from __future__ import annotations

from pathlib import Path

from tests.security.sandbox_probe import via_api, via_runner


def _reader(airflow_home: Path) -> str:
    targets = [str(airflow_home / "airflow.cfg"), str(airflow_home / "airflow.db")]
    return f"""
import os
seen = {{}}
for path in {targets!r}:
    try:
        with open(path, "rb") as fh:
            seen[path] = fh.read(64).decode("latin-1")
    except OSError as exc:
        seen[path] = None
try:
    listing = os.listdir({str(airflow_home)!r})
except OSError:
    listing = None
return {{"seen": seen, "listing": listing}}
"""


def _assert_nothing_read(output: dict, airflow_home: Path) -> None:
    assert output["listing"] in (None, []), f"AIRFLOW_HOME is visible: {output['listing']}"
    leaked = {path: head for path, head in output["seen"].items() if head is not None}
    assert leaked == {}, f"read from the server: {leaked}"


def test_node_test_as_op_cannot_read_airflow_cfg_or_the_db(client, auth, airflow_home: Path) -> None:  # noqa: F811
    # The files exist on the host: the probe would find them if the sandbox let it.
    assert (airflow_home / "airflow.cfg").is_file() and (airflow_home / "airflow.db").is_file()
    report = via_api(client, auth("Op"), _reader(airflow_home))
    assert report["ok"], report["error"]
    _assert_nothing_read(report["output"], airflow_home)


def test_runner_cannot_read_airflow_cfg_or_the_db(airflow_db: Path, airflow_home: Path) -> None:
    assert (airflow_home / "airflow.cfg").is_file() and airflow_db.is_file()
    result = via_runner(_reader(airflow_home))
    assert result.ok, result.error
    _assert_nothing_read(result.output, airflow_home)
