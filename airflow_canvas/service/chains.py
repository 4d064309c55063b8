"""The chain library: publish a group or a selection of a workflow as a versioned chain, list the
library, insert a chain into a workflow, see which inserted groups have updates, and update one.

Publishing follows the tools' rules (tools/semver.py, the breaking-change idea of
tools/breaking_changes.py): a stored version is immutable, and a version must bump at least what
its interface change against the previous version needs (a removed or retyped input or output is
major). Insert and update only compute a new spec: nothing is saved until the user saves the
workflow through the normal save, which validates it and asks for Canvas Code when the chain brings
code (so a chain cannot put into a workflow what its user could not have written there)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from airflow_canvas.service import chain_fragment as cf
from airflow_canvas.service.audit import audit
from airflow_canvas.spec.load import dump_workflow, parse_workflow
from airflow_canvas.spec.models import Workflow
from airflow_canvas.store import chains as store
from airflow_canvas.store.errors import Conflict, NotFound
from airflow_canvas.tools.breaking_changes import SchemaChange
from airflow_canvas.tools.semver import Version, next_version, satisfies_bump
from airflow_canvas.validation import validate

ChainError = cf.ChainError


class BumpRequired(Conflict):
    """The version published does not bump what the interface change needs."""


def _user(user: Any) -> str:
    name: str = user.get_name()
    return name


def _sorted(rows: list[Any]) -> list[Any]:
    return sorted(rows, key=lambda r: Version.parse(r.version))


def _parts(row: Any) -> tuple[cf.Fragment, cf.Interface]:
    data = store.chain_spec(row)
    return cf.Fragment.from_dict(data["fragment"]), cf.Interface.model_validate(data["interface"])


def parse_ref(ref: str) -> tuple[str, str]:
    name, _, version = ref.partition("@")
    try:
        Version.parse(version)
    except ValueError:
        raise ChainError(f"Chain reference {ref!r} must be name@version, like clean_text@1.0.0.") from None
    return name, version


# ---------------------------------------------------------------- publishing


def _cut(
    wf: Workflow, name: str, group_id: str | None, node_ids: list[str] | None
) -> tuple[cf.Fragment, cf.Interface]:
    fragment, interface = cf.extract(wf, group_id=group_id, node_ids=node_ids, root_id=name)
    fragment.workflow()  # every part parses on its own (ids, schemas, tools)
    return fragment, interface


def preview(
    session: Session,
    spec: dict[str, Any],
    *,
    name: str,
    group_id: str | None = None,
    node_ids: list[str] | None = None,
    interface: cf.Interface | None = None,
) -> dict[str, Any]:
    """What publishing would store, the derived interface, and the version it should get."""
    wf = parse_workflow(spec)
    fragment, derived = _cut(wf, name, group_id, node_ids)
    chosen = interface or derived
    cf.check_interface(chosen, fragment)
    rows = _sorted(store.chain_versions(session, name))
    latest = rows[-1] if rows else None
    bump: str | None = None
    changes: list[SchemaChange] = []
    suggested = "1.0.0"
    if latest is not None:
        old_fragment, old_interface = _parts(latest)
        bump, changes = cf.required_bump(old_interface, chosen, old_fragment, fragment)
        suggested = str(next_version(Version.parse(latest.version), bump or "patch"))
    return {
        "name": name,
        "fragment": fragment.to_dict(),
        "interface": chosen.model_dump(),
        "derived_interface": derived.model_dump(),
        "latest": latest.version if latest else None,
        "required_bump": bump,
        "changes": [c.to_dict() for c in changes],
        "suggested_version": suggested,
    }


def publish(
    session: Session,
    user: Any,
    spec: dict[str, Any],
    *,
    name: str,
    version: str,
    description: str = "",
    changelog: str = "",
    group_id: str | None = None,
    node_ids: list[str] | None = None,
    interface: cf.Interface | None = None,
) -> dict[str, Any]:
    """Store ``name@version`` cut from ``spec``. Refused (nothing stored) when the version exists,
    or bumps less than the change against the previous version needs."""
    wf = parse_workflow(spec)
    fragment, derived = _cut(wf, name, group_id, node_ids)
    chosen = interface or derived
    cf.check_interface(chosen, fragment)
    mine = Version.parse(version)
    rows = _sorted(store.chain_versions(session, name))
    if any(Version.parse(r.version) == mine for r in rows):
        raise Conflict(
            f"Chain {name}@{version} already exists and published versions are immutable: publish a higher version."
        )
    older = [r for r in rows if Version.parse(r.version) < mine]
    # A new version without a description keeps the chain's (the library lists the latest's).
    description = description or (rows[-1].description if rows else "")
    changes: list[SchemaChange] = []
    if older:
        previous = older[-1]
        old_fragment, old_interface = _parts(previous)
        bump, changes = cf.required_bump(old_interface, chosen, old_fragment, fragment)
        if bump and not satisfies_bump(Version.parse(previous.version), mine, bump):
            why = "; ".join(c.message for c in changes if c.bump == bump)
            suggested = str(next_version(Version.parse(previous.version), bump))
            raise BumpRequired(
                f"Chain {name}@{version} needs a {bump} version bump over {previous.version} ({why}): "
                f"publish {suggested} or higher.",
                required_bump=bump,
                suggested_version=suggested,
                changes=[c.to_dict() for c in changes],
            )
    row = store.add_chain(
        session,
        name=name,
        version=version,
        description=description,
        changelog=changelog,
        spec={"fragment": fragment.to_dict(), "interface": chosen.model_dump()},
        author=_user(user),
    )
    audit(
        "canvas.chain.publish",
        user=user,
        workflow_id=wf.id,
        chain=f"{name}@{version}",
        source_group=group_id,
        nodes=len(fragment.nodes),
    )
    return version_json(row) | {"changes": [c.to_dict() for c in changes]}


# ---------------------------------------------------------------- reading the library


def version_json(row: Any, *, full: bool = False) -> dict[str, Any]:
    fragment, interface = _parts(row)
    out = {
        "name": row.name,
        "version": row.version,
        "ref": f"{row.name}@{row.version}",
        "description": row.description,
        "changelog": row.changelog,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "interface": interface.model_dump(),
        "nodes": len(fragment.nodes),
    }
    if full:
        out["fragment"] = fragment.to_dict()
    return out


def list_chains(session: Session, query: str = "") -> list[dict[str, Any]]:
    """One entry per chain (its latest version's description), filtered by a case-free substring."""
    by_name: dict[str, list[Any]] = {}
    for row in store.all_chains(session):
        by_name.setdefault(row.name, []).append(row)
    items = []
    q = query.strip().lower()
    for name, rows in sorted(by_name.items()):
        rows = _sorted(rows)
        latest = rows[-1]
        if q and q not in name.lower() and q not in latest.description.lower():
            continue
        items.append(version_json(latest) | {"versions": [r.version for r in rows], "latest": latest.version})
    return items


def versions(session: Session, name: str) -> list[dict[str, Any]]:
    rows = _sorted(store.chain_versions(session, name))
    if not rows:
        raise NotFound(f"There is no chain named {name!r} in the library.")
    return [version_json(r) for r in rows]


def get(session: Session, name: str, version: str) -> dict[str, Any]:
    return version_json(store.get_chain(session, name, version), full=True)


# ---------------------------------------------------------------- using chains in workflows


def _problems(wf: Workflow) -> list[dict[str, Any]]:
    return [p.to_dict() for p in validate(wf).problems]


def insert(
    session: Session,
    spec: dict[str, Any],
    ref: str,
    *,
    group_id: str | None = None,
    parent: str | None = None,
    at: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """``spec`` with chain ``ref`` added as a new group (not saved). The result is parsed as a whole
    and validated; its problems are returned for the canvas to show."""
    name, version = parse_ref(ref)
    row = store.get_chain(session, name, version)
    fragment, _ = _parts(row)
    wf, gid = cf.insert(parse_workflow(spec), fragment, ref, group_id=group_id, parent=parent, at=at)
    return {"spec": dump_workflow(wf), "group_id": gid, "problems": _problems(wf)}


def _latest(rows: list[Any], pinned: Version, *, compatible: bool) -> Any | None:
    newer = [r for r in rows if Version.parse(r.version) > pinned]
    if compatible:
        newer = [r for r in newer if cf.compatible_with(pinned, Version.parse(r.version))]
    return newer[-1] if newer else None


def status(session: Session, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """For every group of ``spec`` inserted from the library: its pin, the newest compatible and the
    newest version, and whether an update is available ("compatible", "major"), or the pin names a
    chain or version the library does not have ("unknown", a warning naming the group)."""
    wf = parse_workflow(spec)
    out = []
    cache: dict[str, list[Any]] = {}
    for group in wf.groups:
        if not group.chain:
            continue
        name, version = parse_ref(group.chain)
        rows = cache.setdefault(name, _sorted(store.chain_versions(session, name)))
        entry: dict[str, Any] = {"group_id": group.id, "chain": group.chain, "name": name, "pinned": version}
        if not any(r.version == version for r in rows):
            known = ", ".join(r.version for r in rows)
            entry.update(
                update="unknown",
                latest=rows[-1].version if rows else None,
                latest_compatible=None,
                message=f"Group {group.id!r} pins chain {group.chain}, which is not in the library"
                + (f" (its versions: {known})." if known else "."),
            )
        else:
            pinned = Version.parse(version)
            compatible = _latest(rows, pinned, compatible=True)
            newest = _latest(rows, pinned, compatible=False)
            kind = "compatible" if compatible else ("major" if newest else "none")
            entry.update(
                update=kind,
                latest=rows[-1].version,
                latest_compatible=compatible.version if compatible else None,
                message={
                    "none": f"Group {group.id!r} is on the newest version of {name}.",
                    "compatible": f"Update available for group {group.id!r}: {name} "
                    f"{compatible.version if compatible else ''}.",
                    "major": f"A new major version of {name} ({newest.version if newest else ''}) exists for "
                    f"group {group.id!r}; updating may break its connections.",
                }[kind],
            )
        out.append(entry)
    return out


def update(
    session: Session,
    spec: dict[str, Any],
    group_id: str,
    *,
    to_version: str | None = None,
    confirm_major: bool = False,
) -> dict[str, Any]:
    """``spec`` with inserted group ``group_id`` replaced by another version of its chain (the
    newest compatible by default). A major update needs ``confirm_major``: Conflict otherwise."""
    wf = parse_workflow(spec)
    group = next((g for g in wf.groups if g.id == group_id), None)
    if group is None or not group.chain:
        raise ChainError(
            f"Group {group_id!r} is not in the workflow."
            if group is None
            else f"Group {group_id!r} was not inserted from the chain library: it has no chain to update."
        )
    name, version = parse_ref(group.chain)
    rows = _sorted(store.chain_versions(session, name))
    pinned = Version.parse(version)
    if to_version is None:
        target = _latest(rows, pinned, compatible=True)
        if target is None:
            raise NotFound(f"Group {group_id!r} is on the newest compatible version of {name} ({version}).")
    else:
        target = store.get_chain(session, name, to_version)
    target_version = Version.parse(target.version)
    major = target_version > pinned and not cf.compatible_with(pinned, target_version)
    if major and not confirm_major:
        raise Conflict(
            f"{name} {target.version} is a major update of {version} for group {group_id!r}: its interface "
            "may have changed and some connections may be dropped. Confirm to update.",
            major=True,
            to_version=target.version,
        )
    fragment, interface = _parts(target)
    result = cf.update(wf, group_id, fragment, interface, f"{name}@{target.version}")
    return {
        "spec": dump_workflow(result.workflow),
        "group_id": group_id,
        "from_version": version,
        "to_version": target.version,
        "major": major,
        "kept_edges": result.kept_edges,
        "dropped_edges": result.dropped_edges,
        "problems": _problems(result.workflow),
    }
