"""The store's compare-and-swap under real thread concurrency, without HTTP in between: 8 threads,
each with its own DB session, save on the same base at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

from airflow import settings

from airflow_canvas.spec.load import parse_workflow
from airflow_canvas.store import repository as repo
from airflow_canvas.store.errors import StaleBase
from tests.integration.api.conftest import chain_spec


def test_eight_sessions_one_base_exactly_one_wins(airflow_db: Path) -> None:
    wid = "store_race"
    with settings.Session.session_factory() as s:
        if s.get(repo.WorkflowRow, wid) is None:
            repo.create_workflow(s, parse_workflow(chain_spec(wid)), author="race")
        base = repo.get_branch(s, wid).head_number
    outcomes: list[object] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker(i: int) -> None:
        spec = chain_spec(wid)
        spec["nodes"][1]["name"] = f"t{i}"
        wf = parse_workflow(spec)
        with settings.Session.session_factory() as session:
            barrier.wait()
            try:
                row = repo.save_version(session, wid, wf, base_version=base, author=f"t{i}", message=f"t{i}")
                result: object = row.number
            except StaleBase as exc:
                result = exc
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    wins = [o for o in outcomes if isinstance(o, int)]
    stale = [o for o in outcomes if isinstance(o, StaleBase)]
    assert len(outcomes) == 8 and len(wins) == 1 and len(stale) == 7, outcomes
    assert all(s.head_version == wins[0] for s in stale)
    with settings.Session.session_factory() as s:
        rows, _ = repo.list_versions(s, wid, limit=100)
        assert rows[0].number == wins[0] and rows[0].parent_number == base
        assert repo.get_branch(s, wid).head_number == wins[0]
        # The losers' rolled-back counter bumps left no holes: the next save gets wins[0] + 1.
        nxt = repo.save_version(
            s, wid, parse_workflow(chain_spec(wid)), base_version=wins[0], author="x", message="x"
        )
        assert nxt.number == wins[0] + 1
