"""cartlandscape: typed, unit-aware, cited records of the CAR-T cell therapy landscape.

>>> import cartlandscape
>>> reg = cartlandscape.registry()
>>> print(reg.lookup("CNCT19").name)
Inaticabtagene autoleucel

Submodules and names load on first use, so ``import cartlandscape`` stays cheap: pint is
imported and the seeds are read only when a registry or a quantity is first asked for.

The public names are written once, in the ``TYPE_CHECKING`` block below, which is what type
checkers read (``import X as X`` marks a name as exported); ``__all__`` and the table of where
each name lives are read from that block when first needed.
"""

from __future__ import annotations

import importlib
import sys as _sys
import types as _types
from typing import TYPE_CHECKING, Any

from cartlandscape._version import __version__ as __version__

if TYPE_CHECKING:
    from cartlandscape._registry import DataVersion as DataVersion
    from cartlandscape._registry import RecordSet as RecordSet
    from cartlandscape._registry import Registry as Registry
    from cartlandscape.compare import compare as compare
    from cartlandscape.compare import rank as rank
    from cartlandscape.dates import PartialDate as PartialDate
    from cartlandscape.errors import CartlandscapeError as CartlandscapeError
    from cartlandscape.errors import ComparisonError as ComparisonError
    from cartlandscape.errors import DataError as DataError
    from cartlandscape.errors import FieldError as FieldError
    from cartlandscape.errors import InsufficientDataError as InsufficientDataError
    from cartlandscape.errors import Problem as Problem
    from cartlandscape.errors import UnitError as UnitError
    from cartlandscape.errors import UnknownNameError as UnknownNameError
    from cartlandscape.errors import UnknownValueError as UnknownValueError
    from cartlandscape.export import to_csv as to_csv
    from cartlandscape.export import to_dataframe as to_dataframe
    from cartlandscape.export import to_json as to_json
    from cartlandscape.kinds import register_kind as register_kind
    from cartlandscape.kinds import unregister_kind as unregister_kind
    from cartlandscape.loading import load as load
    from cartlandscape.loading import registry as registry
    from cartlandscape.models import Citation as Citation
    from cartlandscape.models import Construct as Construct
    from cartlandscape.models import Disagreement as Disagreement
    from cartlandscape.models import Event as Event
    from cartlandscape.models import HazardRatio as HazardRatio
    from cartlandscape.models import Indication as Indication
    from cartlandscape.models import Institution as Institution
    from cartlandscape.models import Milestone as Milestone
    from cartlandscape.models import Outcome as Outcome
    from cartlandscape.models import Period as Period
    from cartlandscape.models import Policy as Policy
    from cartlandscape.models import Price as Price
    from cartlandscape.models import Record as Record
    from cartlandscape.models import Ref as Ref
    from cartlandscape.models import Source as Source
    from cartlandscape.models import Statement as Statement
    from cartlandscape.models import Study as Study
    from cartlandscape.models import Target as Target
    from cartlandscape.models import Therapy as Therapy
    from cartlandscape.pooling import pool as pool
    from cartlandscape.serialization import converter as converter
    from cartlandscape.serialization import make_converter as make_converter
    from cartlandscape.summary import summarize as summarize
    from cartlandscape.values import Approximate as Approximate
    from cartlandscape.values import Bound as Bound
    from cartlandscape.values import Exact as Exact
    from cartlandscape.values import NotReached as NotReached
    from cartlandscape.values import Range as Range
    from cartlandscape.values import Value as Value
    from cartlandscape.values import parse_value as parse_value
    from cartlandscape.vocabulary import AnalysisSet as AnalysisSet
    from cartlandscape.vocabulary import CellSource as CellSource
    from cartlandscape.vocabulary import Endpoint as Endpoint
    from cartlandscape.vocabulary import EventKind as EventKind
    from cartlandscape.vocabulary import GeneDelivery as GeneDelivery
    from cartlandscape.vocabulary import Grade as Grade
    from cartlandscape.vocabulary import GradingScale as GradingScale
    from cartlandscape.vocabulary import IndicationCategory as IndicationCategory
    from cartlandscape.vocabulary import InstitutionKind as InstitutionKind
    from cartlandscape.vocabulary import MilestoneKind as MilestoneKind
    from cartlandscape.vocabulary import Modality as Modality
    from cartlandscape.vocabulary import PolicyKind as PolicyKind
    from cartlandscape.vocabulary import PriceBasis as PriceBasis
    from cartlandscape.vocabulary import PriceKind as PriceKind
    from cartlandscape.vocabulary import Setting as Setting
    from cartlandscape.vocabulary import SourceKind as SourceKind
    from cartlandscape.vocabulary import SourceTier as SourceTier
    from cartlandscape.vocabulary import StatementKind as StatementKind


def _public() -> dict[str, str]:
    """Each public name and the module it lives in, read from the ``TYPE_CHECKING`` block."""
    found = globals().get("_WHERE")
    if found is None:
        import ast as _ast  # only now: importing the package stays cheap
        from pathlib import Path as _Path

        text = _Path(__file__).read_text(encoding="utf-8")
        found = {"__version__": "cartlandscape._version"}
        for node in _ast.parse(text).body:
            if isinstance(node, _ast.If) and _ast.unparse(node.test) == "TYPE_CHECKING":
                for statement in node.body:
                    if isinstance(statement, _ast.ImportFrom) and statement.module:
                        for alias in statement.names:
                            found[alias.asname or alias.name] = statement.module
        globals()["_WHERE"] = found
    return found


def __getattr__(name: str) -> Any:
    if name == "__all__":
        names = sorted(_public())
        globals()["__all__"] = names
        return names
    module = _public().get(name)
    if module is None:
        raise AttributeError(f"module 'cartlandscape' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(_public())


class _Package(_types.ModuleType):
    """The package: a submodule named like a public function does not replace the function.

    Importing ``cartlandscape.compare`` would otherwise set the package's ``compare`` to the
    module; ``cartlandscape.compare`` stays the function, and the module's names are imported
    from it (``from cartlandscape.compare import Comparison``).
    """

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, _types.ModuleType) and not name.startswith("_"):
            module = _public().get(name)
            if module is not None:  # a public name is never a module
                value = getattr(importlib.import_module(module), name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
