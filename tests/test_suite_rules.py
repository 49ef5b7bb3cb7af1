"""Rules of the test suite itself: no module builds a registry when it is imported.

A module-level ``registry()`` or ``load()`` runs whenever the module is collected, even when none
of its tests is selected; the tests take the session fixture ``bundled`` instead, and tests run
once per bundled record are marked ``@pytest.mark.bundled`` (see ``tests/conftest.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import cartlandscape
from cartlandscape import Registry

TESTS = Path(__file__).resolve().parent
#: Calls that build a registry or read data files: none may run when a test module is imported.
BUILDERS = frozenset(
    {"registry", "load", "Registry", "build", "landscape", "approvals_landscape", "_bundled_files"}
)


def _run_at_import(tree: ast.Module) -> Iterator[ast.AST]:
    """Every node of *tree* evaluated on import: all but the bodies of functions and lambdas."""
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            # Decorators and default values run at import; the body runs only when called.
            todo.extend(getattr(node, "decorator_list", ()))
            todo.extend(node.args.defaults)
            todo.extend(d for d in node.args.kw_defaults if d is not None)
            continue
        yield node
        todo.extend(ast.iter_child_nodes(node))


def _called(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def builds_at_import(source: str) -> list[str]:
    """``line: call`` of each call in *source* that builds a registry when it is imported."""
    return [
        f"{node.lineno}: {ast.unparse(node)}"
        for node in _run_at_import(ast.parse(source))
        if isinstance(node, ast.Call) and _called(node) in BUILDERS
    ]


@pytest.mark.parametrize(
    "path", sorted(TESTS.glob("*.py")), ids=lambda p: p.name if isinstance(p, Path) else None
)
def test_no_module_builds_a_registry_at_import(path: Path) -> None:
    """No test module, helper or conftest builds a registry or reads the seeds on import."""
    assert builds_at_import(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("REG = cartlandscape.registry()\n", ["1: cartlandscape.registry()"]),
        ("IDS = [r.id for r in load(path).records()]\n", ["1: load(path)"]),
        (
            "@pytest.mark.parametrize('t', list(registry().therapies))\ndef test(t): ...\n",
            ["1: registry()"],
        ),
        ("def test(reg=Registry([])): ...\n", ["1: Registry([])"]),
        ("class TestA:\n    REG = cartlandscape.registry()\n", ["2: cartlandscape.registry()"]),
        ("def test():\n    reg = cartlandscape.registry()\n", []),
        ("CHECKS = [lambda: registry().therapies]\n", []),
        ("@pytest.mark.bundled('t', lambda reg: reg.therapies)\ndef test(t): ...\n", []),
    ],
)
def test_the_rule_sees_what_runs_at_import(source: str, found: list[str]) -> None:
    """Module code, decorators, defaults and class bodies count; function and lambda bodies not."""
    assert builds_at_import(source) == found


def test_the_fixture_is_the_shared_bundled_registry(bundled: Registry) -> None:
    """The fixture is the registry every caller of registry() gets, and its records are frozen."""
    assert bundled is cartlandscape.registry()
    record = next(iter(bundled.therapies))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        record.name = "changed"  # type: ignore[misc]
