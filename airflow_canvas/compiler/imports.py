"""The names a generated file imports: recorded while the IR is built, printed (and checked) by
the emitter."""

from __future__ import annotations

from airflow_canvas.compiler.pyfmt import INDENT, LINE_LENGTH, checked_name, checked_path

STDLIB_MODULES = ("datetime",)


class ImportSet:
    """module -> names. Recording checks nothing; :meth:`lines` checks every module and name it
    writes, whatever was recorded."""

    def __init__(self) -> None:
        self.names: dict[str, set[str]] = {}

    def use(self, module: str, name: str) -> str:
        self.names.setdefault(module, set()).add(name)
        return name

    def lines(self) -> list[str]:
        """isort/ruff order: stdlib, then third party; constants, classes, functions per line."""
        checked = {checked_path(m): {checked_name(n) for n in names} for m, names in self.names.items()}

        def key(name: str) -> tuple[int, str]:
            kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
            return kind, name.lower()

        def block(modules: list[str]) -> list[str]:
            out = []
            for module in sorted(modules):
                names = ", ".join(sorted(checked[module], key=key))
                line = f"from {module} import {names}"
                if len(line) > LINE_LENGTH:
                    inner = "".join(f"{INDENT}{n},\n" for n in sorted(checked[module], key=key))
                    line = f"from {module} import (\n{inner})"
                out.append(line)
            return out

        stdlib = [m for m in checked if m in STDLIB_MODULES]
        lines = block(stdlib)
        third_party = block([m for m in checked if m not in STDLIB_MODULES])
        if lines and third_party:
            lines.append("")  # one blank line between the sections
        return lines + third_party
