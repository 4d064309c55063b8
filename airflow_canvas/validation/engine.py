"""Validation: every problem of a workflow at once, each with a stable code, the id of the
node/edge/group it concerns, a JSON pointer into the spec and a hint how to fix it.

Field-level problems (types, unknown keys, id patterns) are pydantic's job in ``spec/load.py``;
the rules in ``checks_*.py`` find the rest. ``validate`` is the one entry point: it takes untrusted
JSON or a parsed workflow and returns both kinds (the API, the CLI, the compiler and the co-pilot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from airflow_canvas.catalogue.check import check_operator_nodes
from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.spec.models import Workflow
from airflow_canvas.spec.problems import Problem, SpecError
from airflow_canvas.spec.repair import repair_for_validation
from airflow_canvas.tools.registry import ToolResolver
from airflow_canvas.validation import (
    cache,
    checks_compile,
    checks_dataflow,
    checks_nodes,
    checks_structure,
    checks_templates,
    checks_triggers,
)
from airflow_canvas.validation.checks_notifications import check_notifications
from airflow_canvas.validation.checks_tools import (
    check_inline_tool_names,
    check_mapping_types,
    check_tool_arguments,
    check_tool_languages,
)
from airflow_canvas.validation.context import Resources, ValidationContext
from airflow_canvas.validation.resources import check_connections, check_pools, check_variables


def check_resources(ctx: ValidationContext) -> None:
    """What the spec names in Airflow's database (pools, connections, Variables): warnings, and
    run on every validation outside the memo, since those change under a running server."""
    check_pools(ctx)
    check_connections(ctx)
    check_variables(ctx)


CHECKS: tuple[Callable[[ValidationContext], None], ...] = (
    checks_structure.check_duplicate_ids,
    checks_structure.check_task_ids,
    checks_structure.check_edges,
    checks_structure.check_groups,
    checks_structure.check_cycles,
    checks_nodes.check_schemas,
    check_inline_tool_names,  # no inline tool may take a built-in or published tool's name
    checks_nodes.check_node_config,
    checks_nodes.check_fallbacks,
    check_resources,  # pools, connections, Variables: outside the memo (see _memoised)
    check_tool_arguments,
    check_tool_languages,  # what SQL and shell tools need; SQL tool nodes name a connection
    checks_templates.check_jinja,
    checks_templates.check_logical_date_templates,  # {{ ds }} in a workflow whose runs have no logical date
    checks_dataflow.check_mappings,
    check_mapping_types,  # declared types of mapped fields that cannot meet
    checks_dataflow.check_merges,
    checks_dataflow.check_conditions,
    checks_dataflow.check_inputs,
    checks_triggers.check_schedule_trigger,
    checks_triggers.check_assets,
    checks_triggers.check_asset_condition,
    check_notifications,
    lambda ctx: ctx.problems.extend(check_operator_nodes(ctx.wf)),  # operator classes + arguments
    checks_compile.check_generated_names,  # what the generated file imposes (compiler's last checks)
    checks_compile.check_map_over_sources,
    checks_compile.check_group_interleaving,  # groups kept whole must still have an order
)


def validate_workflow(
    wf: Workflow,
    *,
    pools: set[str] | None = None,
    tools: ToolResolver | None = None,
    resources: Resources | None = None,
) -> list[Problem]:
    """Every structural problem of ``wf``, errors and warnings, in spec order within each check.

    ``resources``: the pools, connections and Variables that exist in Airflow (each kind that is
    given is checked: unknown ones are warnings); ``pools`` is a shorthand for the pools alone.
    ``tools``: a resolver of ``wf``'s tool references to reuse afterwards (the compiler passes
    the one its IR builder pins from); a fresh one when not given.
    """
    return run_checks(wf, resources=Resources.of(resources, pools), tools=tools)[0]


def run_checks(
    wf: Workflow, *, resources: Resources | None = None, tools: ToolResolver | None = None
) -> tuple[list[Problem], int]:
    """Every rule on ``wf`` (each real validation ends here: the benchmark and the tests count calls
    to it), and where in the list the resource checks put their problems (for the memo, see
    ``validate``)."""
    ctx = ValidationContext(wf, resources=resources or Resources(), tools=tools)
    slot = 0
    for check in CHECKS:
        if check is check_resources:
            slot = len(ctx.problems)
        check(ctx)
    return ctx.problems, slot


def _memoised(wf: Workflow, resources: Resources, tools: ToolResolver | None) -> list[Problem]:
    """``validate_workflow(wf, resources=resources, tools=tools)``, each content validated once per
    process: every rule but the resource checks is memoised by content (validation/cache.py says
    what the key holds), and the resource checks, which read what Airflow has now, run every time
    and their problems go where they would have put them."""
    tools = tools if tools is not None else ToolResolver(wf.tools)  # the key reads the tools it sees
    key = cache.key_of(wf, tools)
    entry = cache.get(key) if key is not None else None
    if entry is None:
        problems, slot = run_checks(wf, resources=None, tools=tools)
        entry = (tuple(problems), slot)
        if key is not None:
            cache.put(key, entry)
    cached, slot = entry
    if resources.empty:
        return list(cached)
    resource_ctx = ValidationContext(wf, resources=resources, tools=tools)
    check_resources(resource_ctx)
    return [*cached[:slot], *resource_ctx.problems, *cached[slot:]]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def check_workflow(wf: Workflow, *, pools: set[str] | None = None) -> list[Problem]:
    """Raise SpecError carrying every error; return the warnings when there is none."""
    problems = validate_workflow(wf, pools=pools)
    if errors(problems):
        raise SpecError(problems)
    return problems


def validate_data(
    data: Any, *, pools: set[str] | None = None, resources: Resources | None = None
) -> tuple[Workflow | None, list[Problem]]:
    """Parse untrusted JSON and validate it: (the workflow or None, every problem found).

    When some fields are invalid the workflow is None, but the structural checks still run on a
    repaired copy (bad items reduced to what parses) so the user sees all problems in one go.
    """
    resources = Resources.of(resources, pools)
    try:
        wf = parse_workflow(data)
    except SpecError as exc:
        field_problems = list(exc.problems)
    else:
        return wf, _memoised(wf, resources, None)
    if not isinstance(data, dict) or any(
        p.code in ("E_SPEC_NOT_OBJECT", "E_SPEC_VERSION") for p in field_problems
    ):
        return None, field_problems
    repaired = repair_for_validation(data, field_problems)
    if repaired is None:
        return None, field_problems
    partial = parse_workflow(repaired.data)
    structural = [repaired.restore(p) for p in validate_workflow(partial, resources=resources)]
    return None, field_problems + [p for p in structural if p is not None]


@dataclass(frozen=True)
class Result:
    """What ``validate`` found: the workflow (None when some field does not parse) and every
    problem, errors and warnings, field problems first."""

    workflow: Workflow | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return errors(self.problems)

    @property
    def ok(self) -> bool:
        """A workflow that parsed and has no error (warnings allowed)."""
        return self.workflow is not None and not self.errors


def validate(
    data_or_workflow: Workflow | Any,
    *,
    pools: set[str] | None = None,
    tools: ToolResolver | None = None,
    resources: Resources | None = None,
) -> Result:
    """The one entry point: validate untrusted JSON (parsed, repaired for the structural checks when
    some field is bad) or an already parsed ``Workflow`` (``tools``: a resolver of that workflow's
    tools to share, see ``validate_workflow``; on a memo hit it is left to resolve lazily).

    A workflow whose content was validated before in this process (same values, same shared tools
    and config: validation/cache.py) is not validated again; the checks of ``resources`` (what
    exists in Airflow: pools, connections, Variables; ``pools`` alone as a shorthand) always run."""
    resources = Resources.of(resources, pools)
    if isinstance(data_or_workflow, Workflow):
        return Result(data_or_workflow, _memoised(data_or_workflow, resources, tools))
    return Result(*validate_data(data_or_workflow, resources=resources))
