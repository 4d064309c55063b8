"""Which nodes or groups a phrase means: by id, display name, a part of either ("the billing
step"), a word form ("the scorer" -> ``score``), a typo ("genral queue", rapidfuzz), the node's type
("the output"), or "it"/"these" from the canvas selection and the conversation.

A resolution is ``sure`` only when nothing was guessed: a single best node found by exact words or
word forms. Typos, ties and id-like tokens that are not an id give candidates instead, and the
co-pilot asks back with them as clickable choices."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from airflow_canvas.copilot.context import CopilotContext
from airflow_canvas.spec.models import Workflow

_STOP = {
    "the", "a", "an", "step", "steps", "node", "nodes", "task", "tasks", "stage", "one", "ones", "block",
    "box", "our", "my", "that", "this", "thing", "called", "named", "s", "of", "please", "group",
}  # fmt: skip
_SUFFIXES = (
    "isations", "izations", "isation", "ization", "isers", "izers", "iser", "izer", "ising", "izing",
    "ises", "izes", "ise", "ize", "ies", "ers", "ors", "er", "or", "ing", "ed", "es", "s", "y", "e",
)  # fmt: skip
SELECTION = re.compile(
    r"(?:it|this|that|these|those|them|this one|that one|(?:the\s+)?selection|(?:the\s+)?selected"
    r"(?:\s+(?:nodes?|steps?|ones?))?|(?:this|that|these|those)\s+(?:nodes?|steps?|ones?|tasks?))",
    re.IGNORECASE,
)
TYPE_WORDS = {
    "agent": "agent", "agents": "agent", "model": "agent", "models": "agent", "llm": "agent",
    "llms": "agent", "ai": "agent", "tool": "tool", "tools": "tool", "process": "process",
    "processes": "process", "code": "process", "python": "process", "input": "input", "inputs": "input",
    "output": "output", "outputs": "output",
}  # fmt: skip


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _NON_WORD.split(_CAMEL.sub(r"\1 \2", text).lower()) if w)


def words(text: str) -> list[str]:
    """'LoadRows' / 'load_rows' / 'Load rows' -> ['load', 'rows']."""
    return list(_words(text))


def _norm(text: str) -> str:
    return " ".join(words(text))


@dataclass
class Ref:
    """What a phrase resolved to: ``ids`` when sure, else ``candidates`` to ask about."""

    phrase: str
    ids: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    sure: bool = False
    reason: str = ""  # why not sure: 'ambiguous', 'unknown', 'guess', 'nothing selected'


@dataclass
class _Item:
    id: str
    kind: str  # node type, or 'group'
    names: set[str]  # normalised id, label
    stems: set[str]
    raw: set[str]


# The index of one workflow's names, built once per turn (a turn resolves several phrases). Keyed by
# the workflow object itself: every turn parses its own, so nothing is kept from an older version.
_INDEX: dict[int, tuple[Workflow, dict[bool, list[_Item]]]] = {}


def clear_cache() -> None:
    _INDEX.clear()


def _build(wf: Workflow, groups: bool) -> list[_Item]:
    out = []
    for g in wf.groups if groups else wf.nodes:
        label = g.label or ""
        ws = _words(g.id) + _words(label)
        tool = "" if groups else (getattr(g, "tool", None) or "").partition("@")[0].rsplit(".", 1)[-1]
        raw = set(ws) | set(_words(tool))
        kind = "group" if groups else g.type.value  # type: ignore[union-attr]
        names = {" ".join(_words(g.id)), " ".join(_words(label or g.id))}
        out.append(_Item(g.id, kind, names, {stem(w) for w in raw}, raw))
    return out


def _items(wf: Workflow, groups: bool) -> list[_Item]:
    hit = _INDEX.get(id(wf))
    if hit is None or hit[0] is not wf:
        if len(_INDEX) > 16:
            _INDEX.clear()
        hit = _INDEX[id(wf)] = (wf, {})
    if groups not in hit[1]:
        hit[1][groups] = _build(wf, groups)
    return hit[1][groups]


def known_words(wf: Workflow) -> set[str]:
    """Every word of the workflow's node and group ids and names."""
    return {w for item in _items(wf, False) + _items(wf, True) for w in item.raw}


def _token_score(token: str, item: _Item) -> tuple[float, bool]:
    """(score 0..1, exact-or-word-form?) of one phrase word against a node."""
    s = stem(token)
    if s in item.stems or token in item.raw:
        return 1.0, True
    if len(s) >= 4 and any(x.startswith(s) or (len(x) >= 4 and s.startswith(x)) for x in item.stems):
        return 0.9, True
    if TYPE_WORDS.get(token) == item.kind:
        return 0.85, True
    best = max((fuzz.ratio(token, w) for w in item.raw), default=0.0)
    return (best / 100 * 0.8, False) if best >= 75 else (0.0, False)


def _id_like(phrase: str) -> bool:
    """'LoadRow', 'load_row', 'step2': typed as an id, so a near miss is a guess, not a name."""
    return bool(re.fullmatch(r"\S+", phrase) and re.search(r"[A-Z_0-9]", phrase[1:]))


def named_exactly(ctx: CopilotContext, phrase: str, *, groups: bool = False) -> list[str]:
    """Ids whose id or name is the phrase (case, spacing and "the"/"node"/"group" aside)."""
    lowered = _norm(phrase)
    stripped = " ".join(w for w in lowered.split() if w not in _STOP)
    return [
        i.id for i in _items(ctx.workflow, groups) if lowered in i.names or (stripped and stripped in i.names)
    ]


def resolve(ctx: CopilotContext, phrase: str, *, groups: bool = False, last: list[str] | None = None) -> Ref:
    """One node (or group) from a phrase."""
    raw = phrase.strip().strip("`'\"“”‘’.,?!").strip()
    ref = Ref(phrase=raw)
    if not groups and SELECTION.fullmatch(raw):
        chosen = [s for s in ctx.selection if ctx.workflow.node(s)] or list(last or [])
        ref.ids, ref.sure = chosen, bool(chosen)
        ref.reason = "" if chosen else "nothing selected"
        return ref
    items = _items(ctx.workflow, groups)
    by_id = {i.id: i for i in items}
    if raw in by_id:
        ref.ids, ref.sure = [raw], True
        return ref
    lowered = _norm(raw)
    stripped = " ".join(w for w in lowered.split() if w not in _STOP)
    exact = [i.id for i in items if lowered in i.names or (stripped and stripped in i.names)]
    if len(exact) == 1:
        ref.ids, ref.sure = exact, True
        return ref
    tokens = [w for w in lowered.split() if w not in _STOP]
    if not tokens:
        ref.candidates, ref.reason = [i.id for i in items], "ambiguous"
        return ref
    scored = []
    for item in items:
        parts = [_token_score(t, item) for t in tokens]
        score = sum(p for p, _ in parts) / len(parts)
        if min(p for p, _ in parts) == 0:
            score *= 0.5  # a word of the phrase names nothing in this node
        tie = max((fuzz.ratio(t, w) for t in tokens for w in item.raw), default=0.0)
        scored.append((score, tie, sum(e for _, e in parts), item.id))
    scored.sort(key=lambda x: (-x[0], -x[1]))
    good = [s for s in scored if s[0] >= 0.6]
    if not good:
        close = [s[3] for s in scored if s[0] > 0 or s[1] >= 60]
        ref.candidates, ref.reason = close or [i.id for i in items], "unknown"
        return ref
    top = good[0]
    rivals = [s for s in good[1:] if s[0] >= top[0] - 0.05 and s[1] >= top[1] - 8]
    if rivals:
        ref.candidates, ref.reason = [top[3]] + [s[3] for s in rivals], "ambiguous"
        return ref
    # Sure: every word matched as written (or as a word form), or a typo next to a matching word.
    if _id_like(re.sub(r"^(?:the\s+)?(?:node|step|group)\s+", "", raw)) or not (
        top[2] == len(tokens) or (len(tokens) >= 2 and top[2] >= 1)
    ):
        ref.candidates, ref.reason = [top[3]], "guess"
        return ref
    ref.ids, ref.sure = [top[3]], True
    return ref


_ALL = re.compile(
    r"(?:all|every|each)(?:\s+of)?(?:\s+the)?\s+(?:(?P<type>agent|model|llm|tool|process|code|input|output)\s+)?"
    r"(?:nodes?|steps?|tasks?|ones?)|everything|all of them",
    re.IGNORECASE,
)
_TYPE_PLURAL = re.compile(
    r"(?:all|every)(?:\s+the)?\s+(?P<type>agents|models|tools|processes|inputs|outputs)"
)


def resolve_many(
    ctx: CopilotContext, phrase: str, *, last: list[str] | None = None
) -> tuple[list[str], Ref | None]:
    """Nodes from 'a, b and c', 'the billing queue and the general queue', 'these', 'all nodes',
    'all the process nodes', or space-separated ids. Returns (ids, the first unresolved Ref)."""
    text = phrase.strip().strip(".?!")
    m = _ALL.fullmatch(text) or _TYPE_PLURAL.fullmatch(text)
    if m:
        kind = TYPE_WORDS.get((m.groupdict().get("type") or "").lower())
        return [n.id for n in ctx.workflow.nodes if kind is None or n.type.value == kind], None
    parts = [p for p in re.split(r"\s*(?:,|\band\b|&|\+)\s*", text) if p.strip()]
    if len(parts) == 1 and " " in text:
        tokens = text.split()
        if all(ctx.workflow.node(t) for t in tokens):
            return tokens, None
    ids: list[str] = []
    for part in parts:
        ref = resolve(ctx, part, last=last)
        if not ref.sure:
            return ids, ref
        ids += [i for i in ref.ids if i not in ids]
    return ids, None
