"""Where tool references resolve: the workflow's own inline tools first, then tools published in
the store (when a source is registered), then the built-in tools shipped in this package.

An inline tool may not take the name of a built-in or published tool (validation's
``checks_tools.check_inline_tool_names``): ``json_transform@1.0.0`` in a DAG must mean the built-in,
whoever wrote the workflow."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from airflow_canvas.spec.models import Tool
from airflow_canvas.tools.semver import Version, best_match


class ToolResolutionError(LookupError):
    def __init__(self, ref: str, message: str, candidates: list[str]):
        self.ref = ref
        self.candidates = candidates
        super().__init__(message)


# Extra sources of published tools (the store registers one); each returns every known version.
_SOURCES: list[Callable[[], Iterable[Tool]]] = []


def register_source(source: Callable[[], Iterable[Tool]]) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def builtin_tools() -> list[Tool]:
    try:
        from airflow_canvas.tools.builtin import BUILTIN_TOOLS
    except ImportError:  # the built-in set is optional while it is being written
        return []
    return list(BUILTIN_TOOLS)


def split_ref(ref: str) -> tuple[str, str]:
    name, _, spec = ref.partition("@")
    return name.strip(), (spec.strip() or "*")


def published_tools() -> list[Tool]:
    """Every version of every published tool (each registered source asked once)."""
    return [t for s in _SOURCES for t in s()]


def available_tools(
    workflow_tools: Iterable[Tool] = (), published: Iterable[Tool] | None = None
) -> list[Tool]:
    """Every tool version visible to a workflow; inline ones shadow same-named published ones
    (``published``: the published tools already read, else the sources are asked)."""
    seen: dict[tuple[str, str], Tool] = {}
    shared = published_tools() if published is None else published
    for tool in [*workflow_tools, *shared, *builtin_tools()]:
        seen.setdefault((tool.name, tool.version), tool)
    return list(seen.values())


def resolve_tool(
    ref: str, workflow_tools: Iterable[Tool] = (), published: Iterable[Tool] | None = None
) -> Tool:
    """Resolve ``name@version`` or ``name@range`` to the highest matching version."""
    name, spec = split_ref(ref)
    tools = available_tools(workflow_tools, published)
    versions = {Version.parse(t.version): t for t in tools if t.name == name}
    if not versions:
        names = sorted({t.name for t in tools})
        raise ToolResolutionError(ref, f"No tool named {name!r}.", names)
    try:
        best = best_match(spec, list(versions))
    except ValueError as exc:
        raise ToolResolutionError(ref, f"{ref!r}: {exc}.", []) from None
    if best is None:
        known = [str(v) for v in sorted(versions)]
        raise ToolResolutionError(
            ref, f"Tool {name!r} has no version matching {spec!r} (known: {', '.join(known)}).", known
        )
    return versions[best]


class ToolResolver:
    """One workflow's tool references, each resolved once (a published-tool lookup may query the
    store). ``compile_workflow`` shares one between validation and the IR builder.

    ``lookup`` never raises: a reference that does not resolve gives the error saying why, and a
    failing tool source becomes a ToolResolutionError rather than an exception escaping validation.
    """

    def __init__(self, workflow_tools: Iterable[Tool] = ()) -> None:
        self._workflow_tools = list(workflow_tools)
        self._found: dict[str, Tool | ToolResolutionError | ValueError] = {}
        self._shared: dict[str, tuple[str, list[str]]] | None = None
        self._published: list[Tool] | None = None

    def published(self) -> list[Tool]:
        """The published tools, read from the sources once per resolver (validation's memo key
        and every lookup see the same set). Raises what a failing source raised."""
        if self._published is None:
            self._published = published_tools()
        return self._published

    def shared_names(self) -> dict[str, tuple[str, list[str]]]:
        """Names of the tools every workflow sees: name -> ("built-in" | "published", versions).
        Raises what a failing source raised (the caller reports it: never silently unchecked)."""
        if self._shared is None:
            shared: dict[str, tuple[str, list[str]]] = {}
            for kind, tools in (
                ("built-in", builtin_tools()),
                ("published", self.published()),
            ):
                for tool in tools:
                    shared.setdefault(tool.name, (kind, []))[1].append(tool.version)
            self._shared = shared
        return self._shared

    def lookup(self, ref: str) -> Tool | ToolResolutionError | ValueError:
        if ref not in self._found:
            try:
                self._found[ref] = resolve_tool(ref, self._workflow_tools, self.published())
            except (ToolResolutionError, ValueError) as exc:
                self._found[ref] = exc
            except Exception as exc:  # a registered source (the store) failing
                self._found[ref] = ToolResolutionError(
                    ref, f"No tool named {ref!r} could be looked up: {exc}", []
                )
        return self._found[ref]
