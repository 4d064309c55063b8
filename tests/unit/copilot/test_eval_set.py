"""The public evaluation set (benchmarks/copilot_eval.yaml) understood by the offline co-pilot:
at least 90% of each part, checked on the workflow each proposal produces (issue 14)."""

from __future__ import annotations

import pytest

from benchmarks.copilot_eval import cases, score


def test_the_set_is_big_and_varied() -> None:
    all_cases = cases()
    assert len(all_cases) >= 150 and sum(bool(c.get("heldout")) for c in all_cases) >= 30
    assert len({c["on"] for c in all_cases}) >= 5


@pytest.mark.parametrize("heldout", [False, True], ids=["tuning", "held-out"])
def test_at_least_90_percent_understood(heldout: bool) -> None:
    share, outcomes = score(heldout)
    failures = [f"{o.case['say']!r}: {o.why}" for o in outcomes if not o.ok]
    assert share >= 0.9, f"{share:.1%} understood; failures:\n" + "\n".join(failures)
