"""The ``[airflow_canvas] environments`` setting: every form it may take, every mistake reported with
the environment and the key, and the bindings applied to a spec (values stay data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_canvas.compiler import compile_workflow
from airflow_canvas.service.bindings import bind
from airflow_canvas.service.environments import (
    Bindings,
    ConfigError,
    GitTarget,
    parse_environments,
    redact_url,
)
from airflow_canvas.spec.models import Workflow

DEV = Path("/dags/dev")


def parse(data: Any) -> Any:
    return parse_environments(json.dumps(data), dev_folder=DEV)


def test_folder_git_and_default_dev() -> None:
    envs = parse(
        {
            "staging": "/bundles/staging",
            "qa": {"folder": "/bundles/qa", "connections": {"llm": "openai_qa"}},
            "prod": {
                "git": {
                    "url": "https://git.example.com/dags.git",
                    "branch": "release/prod",
                    "path": "dags/canvas",
                    "conn_id": "git_prod",
                },
                "requires": "staging",
                "protected": True,
                "params": {"region": "eu"},
                "pools": {"llm": "llm_prod"},
                "variables": {"api_base": "api_base_prod"},
            },
        }
    )
    assert envs["dev"].folder == DEV and envs["staging"].folder == Path("/bundles/staging")
    assert envs["qa"].bindings.connections == {"llm": "openai_qa"}
    prod = envs["prod"]
    assert prod.git == GitTarget(
        "https://git.example.com/dags.git", "release/prod", "dags/canvas", "git_prod"
    )
    assert prod.folder is None and prod.requires == "staging" and prod.protected
    assert prod.to_dict()["kind"] == "git"


def test_dev_may_carry_bindings_only() -> None:
    envs = parse({"dev": {"connections": {"llm": "openai_dev"}}})
    assert envs["dev"].folder == DEV and envs["dev"].bindings.connections == {"llm": "openai_dev"}


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"prod": 3}, "'prod'"),
        ({"prod": {"folder": "/a", "git": {"url": "/r"}}}, "exactly one of 'folder' and 'git'"),
        ({"prod": {"folder": "/a", "colour": "red"}}, "unknown key(s) ['colour']"),
        ({"prod": {"git": {"url": "--upload-pack=evil"}}}, "key 'git.url'"),
        ({"prod": {"git": {"url": "/r", "branch": "--force"}}}, "key 'git.branch'"),
        ({"prod": {"git": {"url": "/r", "branch": "a..b"}}}, "key 'git.branch'"),
        ({"prod": {"git": {"url": "/r", "path": "../etc"}}}, "key 'git.path'"),
        ({"prod": {"git": {"url": "/r", "path": "/abs"}}}, "key 'git.path'"),
        ({"prod": {"git": {"url": "/r", "path": "x/.git"}}}, "key 'git.path'"),
        ({"prod": {"git": {"url": "/r", "conn_id": "a b"}}}, "key 'git.conn_id'"),
        ({"prod": {"git": {"url": "https://u:pw@h/r.git"}}}, "Airflow connection"),
        ({"prod": {"folder": "/a", "connections": {"llm": "bad id!"}}}, "key 'connections'"),
        ({"prod": {"folder": "/a", "connections": ["x"]}}, "key 'connections'"),
        ({"prod": {"folder": "/a", "pools": {"p": "x'); import os; ('"}}}, "key 'pools'"),
        ({"prod": {"folder": "/a", "variables": {"v": 'a"b'}}}, "key 'variables'"),
        ({"prod": {"folder": "/a", "params": {"not an id": 1}}}, "key 'params'"),
        ({"prod": {"folder": "/a", "requires": "nowhere"}}, "key 'requires': no environment named"),
        ({"prod": {"folder": "/a", "requires": "prod"}}, "cannot name the environment itself"),
        ({"a": {"folder": "/a", "requires": "b"}, "b": {"folder": "/b", "requires": "a"}}, "loops back"),
        ({"prod": {"folder": "/a", "protected": "yes"}}, "key 'protected'"),
        ({"prod": {"folder": "/a", "dag_id_suffix": "x.py; import os"}}, "key 'dag_id_suffix'"),
        ({"bad name": "/a"}, "'bad name' is not a valid environment name"),
        ([1], "must be a JSON object"),
    ],
)
def test_every_mistake_names_the_environment_and_key(data: Any, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(data)
    assert named in str(caught.value)
    assert "[airflow_canvas] environments" in str(caught.value)


def test_invalid_json_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not valid JSON"):
        parse_environments("{", dev_folder=DEV)


def test_redact_url() -> None:
    assert redact_url("https://bot:tok@git.example.com/r.git") == "https://bot:***@git.example.com/r.git"
    assert redact_url("https://git.example.com/r.git") == "https://git.example.com/r.git"
    assert redact_url("/srv/git/r.git") == "/srv/git/r.git"


def _spec() -> Workflow:
    return Workflow.model_validate(
        {
            "id": "bound",
            "defaults": {"pool": "heavy"},
            "params": {"region": "us"},
            "notifications": [
                {"on": ["failure"], "notifier": "smtp", "connection_id": "mail", "to": ["a@b.c"]}
            ],
            "nodes": [
                {
                    "id": "start",
                    "type": "input",
                    "input_schema": {
                        "type": "object",
                        "properties": {"n": {"type": "integer", "default": 1}},
                    },
                },
                {
                    "id": "ask",
                    "type": "agent",
                    "agent": {
                        "connection_id": "llm",
                        "prompt": "Use {{ var.value.api_base }} and {{ var.json.get('cfg') }}",
                    },
                    "execution": {"pool": "llm_pool"},
                },
                {"id": "end", "type": "output"},
            ],
            "edges": [{"source": "start", "target": "ask"}, {"source": "ask", "target": "end"}],
        }
    )


def test_bindings_resolve_logical_names_and_defaults() -> None:
    wf = _spec()
    bound = bind(
        wf,
        Bindings(
            connections={"llm": "openai_prod", "mail": "smtp_prod"},
            variables={"api_base": "api_base_prod", "cfg": "cfg.prod"},
            params={"region": "eu", "n": 5},
            pools={"heavy": "heavy_prod", "llm_pool": "llm_prod"},
        ),
    )
    ask = bound.node("ask")
    assert ask is not None and ask.agent is not None
    assert ask.agent.connection_id == "openai_prod"
    assert ask.agent.prompt == "Use {{ var.value.api_base_prod }} and {{ var.json.get('cfg.prod') }}"
    assert ask.execution.pool == "llm_prod" and bound.defaults.pool == "heavy_prod"
    assert bound.notifications[0].connection_id == "smtp_prod"
    assert bound.params == {"region": "eu"}
    start = bound.node("start")
    assert start is not None and start.input_schema["properties"]["n"]["default"] == 5
    # Only the fields the author set stay set: defaults are not frozen into the bound spec.
    assert ask.execution.model_fields_set == {"pool"}
    assert wf.node("ask").agent.connection_id == "llm"  # type: ignore[union-attr]  # the original is untouched
    source = compile_workflow(bound).source
    assert '"openai_prod"' in source and '"llm_prod"' in source and '"heavy_prod"' in source
    assert '"eu"' in source


def test_dag_id_suffix_gives_the_environment_its_own_dag_id() -> None:
    bound = bind(_spec(), Bindings(dag_id_suffix="__prod"))
    assert bound.id == "bound__prod"
    assert 'dag_id="bound__prod"' in compile_workflow(bound).source
    from airflow_canvas.spec.problems import SpecError

    with pytest.raises(SpecError, match="dag_id_suffix"):
        bind(_spec(), Bindings(dag_id_suffix="x" * 200))


def test_no_bindings_is_the_same_spec() -> None:
    wf = _spec()
    assert bind(wf, Bindings()) is wf
