"""A griffe extension that turns the reST markup of cartlandscape's docstrings into Markdown.

The docstrings are written to read well in ``help()`` and to run as doctests, so they use reST:
roles such as ``:class:`~cartlandscape.errors.DataError```, ``::`` literal blocks, simple
tables and bare ``>>>`` examples.  For the API reference this extension rewrites them:

- a role that names a public object of a documented module becomes a cross-reference; any
  other role becomes inline code;
- ``>>>`` examples become fenced ``pycon`` blocks, without their ``# doctest:`` directives;
- a paragraph ending in ``::`` ends in ``:`` (its indented block is already code in Markdown);
- a simple table (columns under ``===`` rules) becomes a Markdown table.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

from griffe import Extension

#: The modules the API reference documents (its ``::: module`` lines); a role naming one of
#: their public names links to it.
DOCUMENTED = frozenset(
    line.removeprefix(":::").strip()
    for page in (Path(__file__).resolve().parents[1] / "reference").glob("*.md")
    for line in page.read_text(encoding="utf-8").splitlines()
    if line.startswith(":::")
) | {"cartlandscape"}

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj):`(~?)([^`]+)`")
_RULE = re.compile(r"^=+( +=+)+$")
_DIRECTIVE = re.compile(r"\s*# doctest:.*$")


def _public_home(path: str) -> str | None:
    """The documented path of the object *path* names, or None if it is not documented."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module_name, rest = ".".join(parts[:cut]), parts[cut:]
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        obj: Any = module
        try:
            for part in rest:
                obj = getattr(obj, part)
        except AttributeError:
            return None
        home = getattr(obj, "__module__", module_name)
        public = getattr(importlib.import_module(home), "__all__", ()) if home else ()
        if home not in DOCUMENTED or rest[0] not in public:
            return None
        if not callable(obj):  # attributes and data may have no entry of their own
            return None
        return f"{home}.{obj.__qualname__}"
    return None


def _role(match: re.Match[str], module: str, parent: str) -> str:
    tilde, target = match.groups()
    shown = target.rsplit(".", 1)[-1] if tilde else target
    for candidate in (target, f"{parent}.{target}", f"{module}.{target}"):
        home = _public_home(candidate)
        if home is not None:
            return f"[`{shown}`][{home}]"
    return f"`{shown}`"


def _table(rows: list[str]) -> list[str]:
    """A reST simple table (its rule lines included) as a Markdown table."""
    rule = rows[0]
    spans = [(m.start(), m.end()) for m in re.finditer(r"=+", rule)]

    def cells(line: str) -> list[str]:
        found = []
        for i, (start, _) in enumerate(spans):
            end = spans[i + 1][0] if i + 1 < len(spans) else len(line)
            found.append(line[start:end].strip().replace("|", r"\|"))
        return found

    body = [r for r in rows if not _RULE.match(r)]
    head, rest = cells(body[0]), [cells(r) for r in body[1:]]
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rest]
    return out


def to_markdown(text: str, module: str = "cartlandscape", parent: str = "cartlandscape") -> str:
    """Rewrite the reST of a docstring as Markdown (see the module documentation)."""
    text = _ROLE.sub(lambda m: _role(m, module, parent), text)
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _RULE.match(line.strip()):
            rows = []
            while i < len(lines) and lines[i].strip():
                rows.append(lines[i])
                i += 1
            out += _table(rows)
            continue
        if line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(_DIRECTIVE.sub("", lines[i]))
                i += 1
            out.append(f"{indent}```")
            continue
        if line.rstrip().endswith("::") and line.strip() != "::":
            line = line.rstrip()[:-1]
        out.append(line)
        i += 1
    return "\n".join(out)


class Roles(Extension):
    """Rewrite every docstring's reST as Markdown when griffe loads it."""

    def on_instance(self, *, obj: Any, **kwargs: Any) -> None:  # noqa: D102
        if obj.docstring is not None:
            parent = obj.path if obj.is_class or obj.is_module else obj.parent.path
            obj.docstring.value = to_markdown(obj.docstring.value, obj.module.path, parent)
