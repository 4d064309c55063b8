"""Semantic versions and the range forms nodes may use: exact, ^, ~, x-wildcards, comparators."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION_RE = re.compile(r"^([0-9]+)\.([0-9]+)\.([0-9]+)$")  # ASCII: int() also reads other digits


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION_RE.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a semantic version like 1.2.3")
        return cls(*(int(g) for g in match.groups()))

    def __lt__(self, other: Version) -> bool:
        return (self.major, self.minor, self.patch) < (other.major, other.minor, other.patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def _partial(text: str) -> tuple[int, ...]:
    parts = [p for p in text.strip().split(".") if p not in ("x", "X", "*", "")]
    if len(parts) > 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{text!r} is not a version or range")
    return tuple(int(p) for p in parts)


def _caret_upper(parts: tuple[int, ...]) -> Version:
    padded = (*parts, 0, 0, 0)[:3]
    if padded[0] > 0 or len(parts) == 1:
        return Version(padded[0] + 1, 0, 0)
    if padded[1] > 0 or len(parts) == 2:
        return Version(0, padded[1] + 1, 0)
    return Version(0, 0, padded[2] + 1)


def matches(spec: str, version: Version) -> bool:
    """Whether ``version`` satisfies ``spec`` (npm/Cargo semantics for ^, ~ and wildcards)."""
    spec = spec.strip()
    if spec in ("", "*", "latest"):
        return True
    if " " in spec or "," in spec:
        return all(matches(part, version) for part in re.split(r"[ ,]+", spec) if part)
    for op in (">=", "<=", ">", "<", "=="):
        if spec.startswith(op):
            other = Version(*(*_partial(spec[len(op) :]), 0, 0, 0)[:3])
            return {
                ">=": version >= other,
                "<=": version <= other,
                ">": version > other,
                "<": version < other,
                "==": version == other,
            }[op]
    if spec[0] in "^~":
        parts = _partial(spec[1:])
        low = Version(*(*parts, 0, 0, 0)[:3])
        if spec[0] == "^":
            high = _caret_upper(parts)
        else:
            high = Version(parts[0] + 1, 0, 0) if len(parts) == 1 else Version(parts[0], parts[1] + 1, 0)
        return low <= version < high
    parts = _partial(spec.lstrip("="))
    return (version.major, version.minor, version.patch)[: len(parts)] == parts


def best_match(spec: str, versions: list[Version]) -> Version | None:
    candidates = [v for v in versions if matches(spec, v)]
    return max(candidates) if candidates else None


BUMPS = ("patch", "minor", "major")


def bump_of(old: Version, new: Version) -> str | None:
    """Which part ``new`` bumps relative to ``old`` (None when it is not greater).

    In 0.x releases a minor bump is the breaking one, as npm's caret treats it.
    """
    if new <= old:
        return None
    if new.major != old.major:
        return "major"
    if new.minor != old.minor:
        return "major" if old.major == 0 else "minor"
    return "minor" if old.major == 0 else "patch"


def satisfies_bump(old: Version, new: Version, required: str) -> bool:
    """Whether going from ``old`` to ``new`` bumps at least the ``required`` part."""
    got = bump_of(old, new)
    return got is not None and BUMPS.index(got) >= BUMPS.index(required)


def next_version(old: Version, bump: str) -> Version:
    if bump == "major":
        return Version(old.major + 1, 0, 0) if old.major else Version(0, old.minor + 1, 0)
    if bump == "minor":
        return Version(old.major, old.minor + 1, 0) if old.major else Version(0, old.minor, old.patch + 1)
    return Version(old.major, old.minor, old.patch + 1)
