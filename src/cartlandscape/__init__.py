"""cartlandscape: typed, unit-aware, cited records of the CAR-T cell therapy landscape.

>>> import cartlandscape
>>> reg = cartlandscape.registry()
>>> print(reg.lookup("CNCT19").name)
Inaticabtagene autoleucel

Submodules and names load on first use, so ``import cartlandscape`` stays cheap: pint is
imported and the seeds are read only when a registry or a quantity is first asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cartlandscape._version import __version__

if TYPE_CHECKING:
    from cartlandscape._registry import DataVersion, RecordSet, Registry
    from cartlandscape.dates import PartialDate
    from cartlandscape.errors import (
        CartlandscapeError,
        ComparisonError,
        DataError,
        FieldError,
        InsufficientDataError,
        Problem,
        UnitError,
        UnknownNameError,
        UnknownValueError,
    )
    from cartlandscape.kinds import register_kind, unregister_kind
    from cartlandscape.loading import load, registry
    from cartlandscape.models import (
        Citation,
        Construct,
        Disagreement,
        Event,
        HazardRatio,
        Indication,
        Institution,
        Milestone,
        Outcome,
        Period,
        Policy,
        Price,
        Record,
        Ref,
        Source,
        Statement,
        Study,
        Target,
        Therapy,
    )
    from cartlandscape.serialization import converter, make_converter
    from cartlandscape.values import (
        Approximate,
        Bound,
        Exact,
        NotReached,
        Range,
        Value,
        parse_value,
    )
    from cartlandscape.vocabulary import (
        AnalysisSet,
        CellSource,
        Endpoint,
        EventKind,
        GeneDelivery,
        Grade,
        GradingScale,
        IndicationCategory,
        InstitutionKind,
        MilestoneKind,
        Modality,
        PolicyKind,
        PriceBasis,
        PriceKind,
        Setting,
        SourceKind,
        SourceTier,
        StatementKind,
    )

_WHERE = {
    "PartialDate": "dates",
    **dict.fromkeys(
        [
            "CartlandscapeError",
            "ComparisonError",
            "DataError",
            "FieldError",
            "InsufficientDataError",
            "Problem",
            "UnitError",
            "UnknownNameError",
            "UnknownValueError",
        ],
        "errors",
    ),
    "register_kind": "kinds",
    "unregister_kind": "kinds",
    "load": "loading",
    "registry": "loading",
    "DataVersion": "_registry",
    "RecordSet": "_registry",
    "Registry": "_registry",
    "converter": "serialization",
    "make_converter": "serialization",
    **dict.fromkeys(
        ["Approximate", "Bound", "Exact", "NotReached", "Range", "Value", "parse_value"], "values"
    ),
    **dict.fromkeys(
        [
            "Citation",
            "Construct",
            "Disagreement",
            "Event",
            "HazardRatio",
            "Indication",
            "Institution",
            "Milestone",
            "Outcome",
            "Period",
            "Policy",
            "Price",
            "Record",
            "Ref",
            "Source",
            "Statement",
            "Study",
            "Target",
            "Therapy",
        ],
        "models",
    ),
    **dict.fromkeys(
        [
            "AnalysisSet",
            "CellSource",
            "Endpoint",
            "EventKind",
            "GeneDelivery",
            "Grade",
            "GradingScale",
            "IndicationCategory",
            "InstitutionKind",
            "MilestoneKind",
            "Modality",
            "PolicyKind",
            "PriceBasis",
            "PriceKind",
            "Setting",
            "SourceKind",
            "SourceTier",
            "StatementKind",
        ],
        "vocabulary",
    ),
}

__all__ = [
    "AnalysisSet",
    "Approximate",
    "Bound",
    "CartlandscapeError",
    "CellSource",
    "Citation",
    "ComparisonError",
    "Construct",
    "DataError",
    "DataVersion",
    "Disagreement",
    "Endpoint",
    "Event",
    "EventKind",
    "Exact",
    "FieldError",
    "GeneDelivery",
    "Grade",
    "GradingScale",
    "HazardRatio",
    "Indication",
    "IndicationCategory",
    "Institution",
    "InstitutionKind",
    "InsufficientDataError",
    "Milestone",
    "MilestoneKind",
    "Modality",
    "NotReached",
    "Outcome",
    "PartialDate",
    "Period",
    "Policy",
    "PolicyKind",
    "Price",
    "PriceBasis",
    "PriceKind",
    "Problem",
    "Range",
    "Record",
    "RecordSet",
    "Ref",
    "Registry",
    "Setting",
    "Source",
    "SourceKind",
    "SourceTier",
    "Statement",
    "StatementKind",
    "Study",
    "Target",
    "Therapy",
    "UnitError",
    "UnknownNameError",
    "UnknownValueError",
    "Value",
    "__version__",
    "converter",
    "load",
    "make_converter",
    "parse_value",
    "register_kind",
    "registry",
    "unregister_kind",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cartlandscape' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cartlandscape.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
