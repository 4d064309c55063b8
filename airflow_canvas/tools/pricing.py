"""Token prices for the cost metric, in USD per million tokens. Approximate list prices; a
connection's extra ``{"prices": {"model": {"input": x, "output": y}}}`` overrides them, and a
model that is in neither gets no cost (None) rather than a wrong one."""

from __future__ import annotations

from collections.abc import Mapping

PRICES_PER_MILLION: dict[str, dict[str, float]] = {
    "gpt-4o": {"input": 2.50, "output": 10.00},
    "gpt-4o-mini": {"input": 0.15, "output": 0.60},
    "gpt-4.1": {"input": 2.00, "output": 8.00},
    "gpt-4.1-mini": {"input": 0.40, "output": 1.60},
    "gpt-4.1-nano": {"input": 0.10, "output": 0.40},
    "o3-mini": {"input": 1.10, "output": 4.40},
}


def price_for(
    model: str, overrides: Mapping[str, Mapping[str, float]] | None = None
) -> Mapping[str, float] | None:
    table = {**PRICES_PER_MILLION, **(overrides or {})}
    if model in table:
        return table[model]
    # Dated snapshots ("gpt-4o-2024-08-06") cost what their family costs: longest prefix wins.
    family = max((name for name in table if model.startswith(name + "-")), key=len, default=None)
    return table[family] if family else None


def cost_of(
    model: str, usage: Mapping[str, int], overrides: Mapping[str, Mapping[str, float]] | None = None
) -> float | None:
    price = price_for(model, overrides)
    if price is None:
        return None
    cost = usage.get("prompt_tokens", 0) * price.get("input", 0) + usage.get(
        "completion_tokens", 0
    ) * price.get("output", 0)
    return round(cost / 1_000_000, 8)
