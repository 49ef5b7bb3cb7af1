"""The exception hierarchy: one library base class, each error also its matching builtin."""

from __future__ import annotations

import copy
import importlib
import pickle

import pytest

import cartlandscape
from cartlandscape import errors, pooling, stats

from .builders import landscape, outcome

# The package's compare is the function; the module is reached through the import system.
comparing = importlib.import_module("cartlandscape.compare")


def test_every_library_error_is_a_cartlandscape_error_and_its_builtin() -> None:
    """Comparison and insufficient-data errors live in errors.py under the exported base."""
    base = cartlandscape.CartlandscapeError
    assert base is errors.CartlandscapeError
    assert comparing.ComparisonError is errors.ComparisonError
    assert stats.InsufficientDataError is errors.InsufficientDataError
    assert cartlandscape.ComparisonError is errors.ComparisonError
    assert cartlandscape.InsufficientDataError is errors.InsufficientDataError
    builtins = {
        errors.ComparisonError: ValueError,
        errors.InsufficientDataError: ValueError,
        errors.DataError: ValueError,
        errors.FieldError: ValueError,
        errors.UnitError: ValueError,
        errors.UnknownValueError: ValueError,
        errors.UnknownNameError: LookupError,
    }
    for cls, builtin in builtins.items():
        assert issubclass(cls, base), cls
        assert issubclass(cls, builtin), cls


def test_a_refusal_is_caught_by_the_base_class() -> None:
    """``except cartlandscape.CartlandscapeError`` catches a refused comparison and pooling."""
    reg = landscape(
        outcome("a-cr", endpoint="cr"),
        outcome("b-orr", therapy="b-cel"),
    )
    with pytest.raises(cartlandscape.CartlandscapeError):
        comparing.compare(reg, ["a-cel", "b-cel"], endpoint="cr")
    with pytest.raises(cartlandscape.CartlandscapeError):
        pooling.pool([outcome("x", n=None)])


def test_refusals_carry_structured_remedies_that_survive_pickling() -> None:
    """The ways to change the question are fields, not only words in the message."""
    reg = landscape(
        outcome("a-1", indication="b-all"),
        outcome("b-1", therapy="b-cel", indication="mm"),
    )
    with pytest.raises(errors.ComparisonError) as caught:
        comparing.compare(reg, ["a-cel", "b-cel"], endpoint="orr")
    exc = caught.value
    assert "allow_mismatch" in {r.option for r in exc.remedies}
    assert "allow_mismatch=True" in str(exc)
    assert "allow_mismatch" not in exc.reason
    for again in (copy.deepcopy(exc), pickle.loads(pickle.dumps(exc))):
        assert (again.reason, again.remedies, str(again)) == (exc.reason, exc.remedies, str(exc))


def test_the_command_line_words_remedies_as_its_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The CLI turns the remedy fields into its options, never Python keywords."""
    from cartlandscape.cli import main

    status = main(["compare", "cilta-cel", "axi-cel", "--endpoint", "ORR"])
    err = capsys.readouterr().err
    assert status == 1
    assert "--allow-mismatch" in err
    assert "allow_mismatch=True" not in err
    assert "indication=" not in err
