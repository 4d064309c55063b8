"""A workflow that has been validated is not validated again: a per-process, bounded (LRU) memo of
validation results keyed by everything the rules read.

The key (``key_of``) is the digest of the workflow's content plus what validation reads besides it:

* the workflow's values: its full Python dump as JSON with NaN/Infinity kept as such (pydantic's
  own JSON would write them as null, the same as None), so two workflows share a key only when
  every field holds the same value (but ``UNREAD_FIELDS``, which no rule reads);
* each node's effective execution policy (``spec.models.effective_policy``): a field a node sets
  explicitly wins over the workflow defaults even when its value equals the field's default, so
  the values alone do not say what a node runs with. This is the only place the rules read
  ``model_fields_set``; a rule that starts reading it elsewhere must add what it reads here;
* every tool visible to a workflow besides its inline ones (built-in and published, each version's
  full content), since tool references resolve against them and a publish or deprecation changes
  the result;
* ``[airflow_canvas] notifier_modules``, which decides which notifier classes may be imported.

Pools are not in the key: the pool check is the one rule that reads them, and it runs on every call
outside the memo (engine.validate), so a pool created or deleted since is always seen. The operator
catalogue reads the installed packages, which do not change under a running process.

A workflow whose key cannot be computed (a source of published tools failing, text no JSON can hold)
is validated every time. Canvas Code rules (who may save code) are not validation and not memoised.
The memo is per process: another API worker validates once for itself.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import OrderedDict

import pydantic_core

from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem
from airflow_canvas.tools.registry import ToolResolver, available_tools

# Workflow fields no rule reads: the version number the store stamps on a saved spec (named in the
# DAG header by the compiler), so a spec validated before its save is known after it.
UNREAD_FIELDS = {"version"}
MAX_ENTRIES = 64  # a few users' open workflows and their proposals; each entry holds only problems

# key -> (problems of every rule but the pool check, where the pool check's problems go)
Entry = tuple[tuple[Problem, ...], int]
_ENTRIES: OrderedDict[str, Entry] = OrderedDict()
_LOCK = threading.Lock()


def _json(value: object) -> bytes:
    return pydantic_core.to_json(value, inf_nan_mode="constants")


def _environment(resolver: ToolResolver) -> bytes:
    """What validation reads besides the workflow and the pools: the shared tools (as ``resolver``,
    which the rules then use, read them) and the config."""
    tools = sorted(available_tools(published=resolver.published()), key=lambda t: (t.name, t.version))
    return _json([[t.model_dump() for t in tools], _notifier_modules()])


def _notifier_modules() -> str | None:
    """The setting, or None while Airflow's config was never loaded in this process. Loading it here
    would make every validation import Airflow (the CLI validates without it); a rule that needs the
    setting loads the config itself, and every key computed after that includes the value, so a
    change can only cause a miss, never a stale answer."""
    module = sys.modules.get("airflow.configuration")
    if module is None:
        return None
    return module.conf.get("airflow_canvas", "notifier_modules", fallback="") or ""


def key_of(wf: Workflow, resolver: ToolResolver | None = None) -> str | None:
    """The memo key of ``wf`` in the current environment, or None when it cannot be computed
    (``resolver``: the one of ``wf``'s tools the validation will use)."""
    try:
        digest = hashlib.blake2b(_json(wf.model_dump(exclude=UNREAD_FIELDS)), digest_size=24)
        # A node's effective policy is the defaults (in the dump above) with the fields the node sets
        # over them; what it sets to the default's own value changes nothing, so only real overrides
        # count (a spec parsed from JSON and the same spec re-parsed by a patch then share one key).
        defaults = wf.defaults
        overrides = [
            {f: v for f in sorted(n.execution.model_fields_set) if (v := getattr(n.execution, f)) != getattr(defaults, f)}
            for n in wf.nodes
        ]  # fmt: skip
        digest.update(_json(overrides))
        digest.update(_environment(resolver if resolver is not None else ToolResolver(wf.tools)))
    except Exception:  # a failing tool source or unencodable text: validate without the memo
        return None
    return digest.hexdigest()


def get(key: str) -> Entry | None:
    with _LOCK:
        entry = _ENTRIES.get(key)
        if entry is not None:
            _ENTRIES.move_to_end(key)
        return entry


def put(key: str, entry: Entry) -> None:
    with _LOCK:
        _ENTRIES[key] = entry
        _ENTRIES.move_to_end(key)
        while len(_ENTRIES) > MAX_ENTRIES:
            _ENTRIES.popitem(last=False)


def clear() -> None:
    with _LOCK:
        _ENTRIES.clear()
