"""Derive a trial's modality, scope, targets, products and indications from its registry text.

Everything is found in the text the registry holds (title, acronym, interventions and their
other names, conditions, summary), and each annotation keeps the text that matched
(:class:`~cartlandscape.trials.model.Evidence`) and a confidence:

- **high**: a product name from the registry's alias index (``CTL019``, ``LCAR-B38M``), or a
  target or CAR named in an intervention;
- **medium**: named in the title, the acronym or the conditions only;
- **low**: named in the summary only.

A product's own targets (``Therapy.targets``) are added with the product name as evidence.  A
target named right after "after", "failed", "prior" or "relapse after" (``CD22 CAR-T after
CD19 CAR-T failure``), or followed by "negative", is not the trial's target.

The scope (:class:`~cartlandscape.trials.model.Scope`) separates trials that give a CAR-based
cell product from those that only mention one: observational studies and registries, imaging
studies, supportive care (CRS or ICANS prophylaxis, infections, rehabilitation), bispecific
antibodies, and other treatments given before or after CAR-T cells.

>>> from cartlandscape.trials.model import Intervention
>>> a = Annotator.default()
>>> found = a.annotate_text(
...     title="CD19/CD22 dual-targeted CAR-T cells in B-ALL",
...     interventions=(Intervention(name="CD19/CD22 CAR-T cells", type="biological"),),
... )
>>> [t.target for t in found.targets], found.modality.modality.value, found.scope.scope.value
(['cd19', 'cd22'], 'car-t', 'pipeline')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

import attrs

from cartlandscape.trials.model import (
    Confidence,
    Evidence,
    IndicationAnnotation,
    Intervention,
    ModalityAnnotation,
    ProductAnnotation,
    Scope,
    ScopeAnnotation,
    StudyType,
    TargetAnnotation,
)
from cartlandscape.vocabulary import Modality

if TYPE_CHECKING:
    from cartlandscape._registry import Registry
    from cartlandscape.models import Therapy

__all__ = [
    "INDICATION_PATTERNS",
    "TARGET_PATTERNS",
    "Annotation",
    "Annotator",
    "Scores",
    "evaluate",
]

#: How each target is named in trial texts (regular expressions, matched case-insensitively
#: unless they start with ``(?-i)``).  Keys are target ids of the registry.
TARGET_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "cd19": (
        r"CD\s?19(?![0-9])(?!(?-i:t)(?![a-z]))",
        r"(?-i:CAR-?T?[-‐ ]?19)(?![0-9])",
        r"(?-i:\b19[-‐ ]?CAR)",
        r"(?<![0-9A-Za-z])19(?:\(T2\)|[-‐]?28z|[-‐]?BBz)",
    ),
    "bcma": (r"BCMA", r"TNFRSF17", r"B[- ]cell maturation antigen", r"CD269"),
    "cd22": (r"CD\s?22(?![0-9])", r"(?-i:CAR-?T?[-‐ ]?22)(?![0-9])"),
    "cd20": (r"CD\s?20(?![0-9])", r"MS4A1"),
    "gprc5d": (r"GPRC5D",),
    "cldn18-2": (r"claudin[- ]?18(?:\.2|\s?A2)?", r"CLDN\s?18(?:\.2|A2)?"),
    "cd7": (r"CD\s?7(?![0-9])",),
    "gpc3": (r"GPC[- ]?3(?![0-9])", r"glypican[- ]?3"),
    "msln": (r"mesothelin", r"MSLN", r"CART[-‐ ]meso", r"\bmeso[-‐ ]?CAR"),
    "cd30": (r"CD\s?30(?![0-9])", r"TNFRSF8"),
    "cd70": (r"CD\s?70(?![0-9])",),
    "cd276": (r"B7[- ]?H3", r"CD276"),
    "gd2": (r"(?-i:GD-?2)(?![0-9])", r"disialoganglioside"),
    "egfr": (
        r"(?<![A-Za-z])EGFR(?:vIII)?(?!t)",
        r"EGFR[- ]?v3",
        r"epidermal growth factor receptor",
    ),
    "cd33": (r"CD\s?33(?![0-9])",),
    "il3ra": (r"CD\s?123(?![0-9])", r"IL[- ]?3R(?:A|α|alpha)?\b"),
    "clec12a": (r"CLL[- ]?1(?![0-9])", r"CLEC12A", r"CD\s?371"),
    "cd38": (r"CD\s?38(?![0-9])",),
    "il13ra2": (r"IL[- ]?13\s?R(?:a|α|alpha)?\s?2", r"IL13RA2"),
    "cd4": (r"(?-i:CD4)(?![0-9+])(?=\s*[-‐]?\s*(?:CAR|targeted|specific|directed|redirected))",),
    "cd5": (r"(?-i:CD5)(?![0-9+])(?=\s*[-‐]?\s*(?:CAR|targeted|specific|directed|redirected))",),
    "cd274": (r"PD[- ]?L1", r"CD274"),
    "cdh17": (r"CDH17", r"cadherin[- ]17"),
    "cd79b": (r"CD\s?79b",),
    "nkg2d-ligands": (r"NKG2D",),
    "her2": (r"HER[- ]?2(?![0-9])", r"ERBB2"),
    "psma": (r"(?-i:PSMA)", r"prostate[- ]specific membrane antigen"),
    "folr1": (r"(?-i:FR[aα])(?![A-Za-z])", r"FOLR1", r"folate receptor[- ](?:alpha|α)"),
    "flt3": (r"FLT[- ]?3(?![0-9])", r"CD135"),
    "muc1": (r"MUC[- ]?1(?![0-9])", r"mucin[- ]?1(?![0-9])"),
    "met": (
        r"(?<![A-Za-z])c-?MET(?![A-Za-z])",
        r"(?-i:(?<![A-Za-z])MET)(?![A-Za-z])",
        r"hepatocyte growth factor receptor",
    ),
    "cd6": (r"(?<![A-Za-z])CD6(?![0-9])",),
    "hla-g": (r"HLA[- ]?G(?![A-Za-z0-9])",),
    "phox2b": (r"PHOX2B",),
    "baff-r": (
        r"BAFF[- ]?R(?![a-z])",
        r"BAFF[- ]receptor(?!s)",
        r"TNFRSF13C",
        r"CD\s?268",
        r"B[- ]cell activating factor receptor",
    ),
    "baff-receptors": (
        r"(?<![A-Za-z])BAFF(?![- ]?R(?![a-z])|[- ]receptor)",
        r"B[- ]cell activating factor(?! receptor)",
    ),
    "cd56": (r"CD\s?56(?![0-9+A-Za-z])", r"(?<![A-Za-z])NCAM1?(?![0-9A-Za-z])"),
    "cea": (
        r"(?-i:(?<![A-Za-z])CEA)(?![A-Za-z])",
        r"CEACAM[- ]?5(?![0-9])",
        r"carcinoembryonic antigen",
    ),
    "slamf7": (r"SLAMF7", r"(?-i:(?<!CM-)CS1)(?![0-9])", r"CD\s?319"),
    "dll3": (r"DLL[- ]?3(?![0-9])", r"delta[- ]like (?:canonical Notch )?(?:ligand|protein)[- ]3"),
    "gucy2c": (
        r"GUCY2C",
        r"(?-i:(?<![A-Za-z])GCC)(?![A-Za-z])",
        r"guanyl(?:yl|ate) cyclase[- ](?:2C|C)(?![A-Za-z])",
    ),
    "epcam": (r"Ep[- ]?CAM(?![A-Za-z])", r"CD\s?326", r"epithelial cell adhesion molecule"),
    "psca": (r"PSCA", r"prostate stem cell antigen"),
    "trop2": (r"TROP[- ]?2(?![0-9])", r"TACSTD2"),
    "alpp": (r"(?<![A-Za-z])ALPP(?![A-Za-z0-9])", r"placental alkaline phosphatase"),
    "axl": (r"(?-i:(?<![A-Za-z])AXL)(?![A-Za-z])",),
    "cd138": (
        r"CD\s?138(?![0-9])",
        r"(?-i:CAR-?T?[-‐ ]?138)(?![0-9])",
        r"syndecan[- ]?1(?![0-9])",
    ),
    "epha2": (r"EphA2(?![0-9])",),
    "nectin4": (r"nectin[- ]?4(?![0-9])", r"PVRL4"),
    "fcrl5": (r"FcR[LH][- ]?5(?![0-9])",),
    "gpnmb": (r"GPNMB",),
    "cd10": (r"CD\s?10(?![0-9+])", r"(?-i:CALLA)"),
    "cd147": (r"CD\s?147(?![0-9])", r"EMMPRIN", r"basigin"),
    "lewis-y": (r"Lewis[- ]?Y(?![A-Za-z])", r"(?-i:(?<![A-Za-z])LeY)(?![A-Za-z])"),
}

#: How the indications of the registry are named in trial texts (case-insensitive unless
#: ``(?-i)``).  Only the most specific indication named is kept (not its parents).
INDICATION_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "diffuse-large-b-cell-lymphoma": (r"diffuse large B[- ]cell", r"(?-i:DLBCL)"),
    "large-b-cell-lymphoma": (r"(?<!diffuse )large B[- ]cell lymphoma", r"(?-i:\bLBCL)"),
    "follicular-lymphoma": (r"follicular lymphoma", r"(?-i:\bFL\b)"),
    "mantle-cell-lymphoma": (r"mantle[- ]cell lymphoma", r"(?-i:\bMCL\b)"),
    "marginal-zone-lymphoma": (r"marginal[- ]zone lymphoma",),
    "non-hodgkin-lymphoma": (
        r"non[- ]?Hodgkin",
        r"(?-i:\bB-?NHL\b|\bNHL\b)",
        r"B[- ]cell lymphoma",
    ),
    "chronic-lymphocytic-leukemia": (r"chronic lymphocytic leuk", r"(?-i:\bCLL\b)"),
    "b-cell-acute-lymphoblastic-leukemia": (
        r"B[- ]cell acute lymphoblastic",
        r"B[- ](?:cell )?precursor acute lymphoblastic",
        r"(?-i:\bB-ALL\b)",
    ),
    "acute-lymphoblastic-leukemia": (r"acute lymphoblastic leuk", r"(?-i:\bALL\b)"),
    "multiple-myeloma": (r"multiple myeloma", r"plasma cell myeloma", r"(?-i:\bMM\b)"),
    "b-cell-malignancy": (r"B[- ]cell malignanc", r"B[- ]cell (?:hematologic|haematologic)"),
    "hematologic-malignancy": (r"h(?:a)?ematolog(?:ic|ical) malignanc",),
    "solid-tumor": (r"solid tumou?rs?",),
    "gastric-cancer": (
        r"gastric (?:cancer|adenocarcinoma|carcinoma)",
        r"gastroesophageal junction",
    ),
    "metastatic-colorectal-cancer": (r"metastatic colorectal",),
    "colorectal-cancer": (r"colorectal (?:cancer|carcinoma|adenocarcinoma)",),
    "lung-cancer": (r"lung cancer", r"(?-i:\bNSCLC\b|\bSCLC\b)"),
    "systemic-lupus-erythematosus": (r"lupus", r"(?-i:\bSLE\b)"),
    "autoimmune-hemolytic-anemia": (r"autoimmune h(?:a)?emolytic an(?:a)?emia", r"(?-i:\bAIHA\b)"),
}

_CAR_NK = re.compile(
    r"CAR[-‐ ]?NK(?![A-Za-z])|CAR[-‐ ]?(?:engineered|modified|expressing)\s+NK"
    r"|chimeric antigen receptor[- ](?:\w+[- ]){0,3}(?:natural killer|NK)",
    re.I,
)
_CAR_OTHER = re.compile(r"CAR[-‐ ]?M(?![A-Za-z])|CAR[-‐ ]?macrophage", re.I)
_CAR = re.compile(
    r"(?i:chimeric antigen receptor|chimeric (?:T[- ]cell )?receptor|cabtagene|CAR[-‐ ]?T(?![a-z]))"
    r"|(?<![A-Za-z])c?CARs?(?=$|[^a-z])|(?<=[A-Z])CAR(?=[0-9])"
    r"|(?<![A-Za-z])[A-Z]{1,4}CAR(?:[-A-Z]{0,3}[0-9]|-[A-Z]{2,4}\b)"
)
#: A T-cell product named with a target of the lexicon ("CD19-specific T cells", "T cells
#: genetically targeted to CD19"): CAR-T cells, with medium confidence (TCR-T products name
#: intracellular antigens, which the lexicon does not hold).
_TARGETED_T = re.compile(
    r"(?:CD\s?19|CD\s?22|CD\s?20|BCMA|CD\s?30|CD\s?7|GD2|HER2|mesothelin|EGFR|GPC3|PSMA|CD\s?33|"
    r"CD\s?123)[-‐ ]?(?:specific|targeted|directed|redirected|re-directed|z|zeta)?[-‐ ]?T[- ]cells?"
    r"|T[- ]cells?\s+(?:\w+\s+){0,2}(?:targeted|redirected|directed)\s+(?:to|against)\s+"
    r"(?:[\w-]+\s+){0,5}(?:CD\s?19|CD\s?22|BCMA|CD\s?30|GD2|HER2|mesothelin|EGFR|PSMA)",
    re.I,
)
_TCR = re.compile(
    r"(?<![A-Za-z])TCR[-‐ ]?(?:T|engineered|modified|redirected)|(?<!chimeric )T[- ]cell receptor"
    r"(?![- ]beta constant)",
    re.I,
)
_NEGATED = re.compile(
    r"(?:after|following|post|prior|previous(?:ly)?|failed|failure of|relapsed? after|"
    r"refractory to|exposed|pretreated with|resistant to|received|receiving|treated with|"
    r"secreting|secretes|expressing anti)\s+(?:\S+\s+){0,2}\S*$",
    re.I,
)
_NEGATIVE_AFTER = re.compile(r"^\s*[-‐ ]?(?:negative|neg\b|-?\s?loss|escape)", re.I)
_OBSERVATIONAL = re.compile(
    r"observational|registry|real[- ]world|retrospective|long[- ]term follow|follow[- ]up study"
    r"|\bLTFU\b|cohort study|survey|questionnaire|biobank|natural history|outcomes? research"
    r"|prospective (?:data|collection)|sample collection|database",
    re.I,
)
_IMAGING = re.compile(
    r"(?<![A-Za-z])(?:PET|MRI|imaging|scan|tracer|radiotracer|radiolabel(?:l?ed)?|SPECT|"
    r"\[?18F\]?|89Zr|68Ga)(?![A-Za-z])",
    re.I,
)
_BISPECIFIC = re.compile(
    r"bispecific|BiTE|blinatumomab|teclistamab|talquetamab|elranatamab|linvoseltamab|"
    r"glofitamab|epcoritamab|mosunetuzumab|odronextamab|etentamig|cevostamab|surovatamig",
    re.I,
)
_SUPPORTIVE = re.compile(
    r"cytokine release|\bCRS\b|ICANS|neurotoxicit|prophyla|prevent|tocilizumab|anakinra|"
    r"siltuximab|dexamethasone|infection|vaccin|exercise|rehabilitat|nutrition|quality of life|"
    r"symptom|supportive|IVIG|immunoglobulin replacement|defibrotide|letermovir|delirium|"
    r"cytopenia|G-CSF|filgrastim|eltrombopag|romiplostim|hemophagocytic|\bHLH\b|psycholog|"
    r"sleep|caregiver|education|telehealth|remote monitoring|outpatient|wearable|EEG|"
    r"cognitive|fertility|microbiome|fecal|diet|toxicit|fatigue|side effects?|adverse",
    re.I,
)
_CONTEXT = re.compile(
    r"(?:after|following|post|prior to|before|receiving|received|treated with|undergoing|"
    r"eligible for|candidates? for|bridg\w*|consolidat\w*|relapse\w* after|failure of|failing|"
    r"(?:in|for) (?:patients|subjects|participants|recipients|people|adults|children)\b"
    r"[^.]*?(?:with|of|after|receiving|undergoing|treated))"
    r"\s+(?:\S+\s+){0,6}?(?:CAR|chimeric|cellular|cell therap)",
    re.I,
)


@attrs.frozen
class Annotation:
    """What the annotator found in one trial's text."""

    modality: ModalityAnnotation | None
    scope: ScopeAnnotation | None
    targets: tuple[TargetAnnotation, ...]
    products: tuple[ProductAnnotation, ...]
    indications: tuple[IndicationAnnotation, ...]

    @property
    def car_based(self) -> bool:
        """Whether the text shows a CAR-based cell therapy (CAR-T, CAR-NK, CAR-M, ...)."""
        return self.modality is not None and self.modality.modality in _CAR_VALUES


_CAR_VALUES = frozenset({Modality.CAR_T, Modality.CAR_NK, Modality.OTHER})


def _compile(patterns: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for pattern in patterns:
        if pattern.startswith("(?-i:"):
            parts.append(pattern)
        else:
            parts.append(f"(?:{pattern})")
    return re.compile("|".join(parts), re.I)


def _texts(
    title: str,
    acronym: str | None,
    interventions: Sequence[Intervention],
    conditions: Sequence[str],
    summary: str | None,
) -> list[tuple[str, str, Confidence]]:
    """Every text of a trial with its field path and the confidence a match in it gives."""
    found = [("title", title, Confidence.MEDIUM)]
    if acronym:
        found.append(("acronym", acronym, Confidence.MEDIUM))
    for i, item in enumerate(interventions):
        found.append((f"interventions[{i}].name", item.name, Confidence.HIGH))
        found.extend(
            (f"interventions[{i}].other_names[{j}]", other, Confidence.HIGH)
            for j, other in enumerate(item.other_names)
        )
    found.extend((f"conditions[{i}]", c, Confidence.MEDIUM) for i, c in enumerate(conditions))
    if summary:
        found.append(("summary", summary, Confidence.LOW))
    return found


_RANK = {Confidence.HIGH: 0, Confidence.MEDIUM: 1, Confidence.LOW: 2}


def _best(confidences: Iterable[Confidence]) -> Confidence:
    return min(confidences, key=_RANK.__getitem__)


#: A piece of evidence with the confidence its field gives.
_Hit = tuple[Evidence, Confidence]


def _hit(field: str, match: re.Match[str], confidence: Confidence) -> _Hit:
    return (Evidence(field=field, text=match.group(0)), confidence)


def _searched(texts: Iterable[tuple[str, str, Confidence]], pattern: re.Pattern[str]) -> list[_Hit]:
    """A hit for the first match of *pattern* in each text that has one."""
    return [
        _hit(field, match, confidence)
        for field, text, confidence in texts
        if (match := pattern.search(text)) is not None
    ]


def _summed(hits: Iterable[_Hit]) -> tuple[tuple[Evidence, ...], Confidence]:
    """The evidence of *hits*, each piece once, and the best confidence among them."""
    hits = list(hits)
    return _unique(e for e, _ in hits), _best(c for _, c in hits)


class Annotator:
    """Annotates trial texts against a registry's targets, therapies and indications."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._targets = {
            ident: _compile(patterns)
            for ident, patterns in TARGET_PATTERNS.items()
            if ident in registry.targets
        }
        self._indications = {
            ident: _compile(patterns)
            for ident, patterns in INDICATION_PATTERNS.items()
            if ident in registry.indications
        }
        names: dict[str, str] = {}
        for therapy in registry.therapies:
            for name in _product_names(therapy):
                names.setdefault(name.casefold(), therapy.id)
        self._products = names
        alternatives = sorted(names, key=len, reverse=True)
        self._product_pattern = (
            re.compile(
                r"(?<![A-Za-z0-9])(?:"
                + "|".join(
                    re.escape(n).replace(r"\-", "[-‐ ]?").replace(r"\ ", r"[\s-]")
                    for n in alternatives
                )
                + r")(?![A-Za-z0-9]|/[0-9])",
                re.I,
            )
            if alternatives
            else None
        )

    @classmethod
    @functools.cache
    def default(cls) -> Annotator:
        """The annotator of the bundled registry."""
        from cartlandscape.loading import registry

        return cls(registry())

    @property
    def registry(self) -> Registry:
        """The registry whose targets, therapies and indications are looked for."""
        return self._registry

    # -- the parts -------------------------------------------------------------------------

    def products(
        self, texts: Sequence[tuple[str, str, Confidence]]
    ) -> tuple[ProductAnnotation, ...]:
        """The therapies of the registry named in *texts* (by INN, brand, code or alias)."""
        if self._product_pattern is None:
            return ()
        found: dict[str, list[_Hit]] = {}
        for field, text, confidence in texts:
            for match in self._product_pattern.finditer(text):
                key = re.sub(r"[\s‐-]+", " ", match.group(0)).casefold()
                therapy = self._products.get(key) or self._lookup_product(match.group(0))
                if therapy is not None:
                    found.setdefault(therapy, []).append(_hit(field, match, confidence))
        summed = {therapy: _summed(hits) for therapy, hits in found.items()}
        return tuple(
            ProductAnnotation(therapy=therapy, evidence=evidence, confidence=confidence)
            for therapy, (evidence, confidence) in summed.items()
        )

    def _lookup_product(self, text: str) -> str | None:
        from cartlandscape.text import normalize

        key = normalize(text)
        for name, therapy in self._products.items():
            if normalize(name) == key:
                return therapy
        return None

    def targets(
        self,
        texts: Sequence[tuple[str, str, Confidence]],
        products: Sequence[ProductAnnotation] = (),
    ) -> tuple[TargetAnnotation, ...]:
        """The targets named in *texts*, and those of the *products*."""
        found: dict[str, list[_Hit]] = {}
        for product in products:
            for target in self._registry.therapies[product.therapy].targets:
                found.setdefault(target, []).extend(
                    (e, product.confidence) for e in product.evidence
                )
        for field, text, confidence in texts:
            for ident, pattern in self._targets.items():
                for match in pattern.finditer(text):
                    before = text[max(0, match.start() - 40) : match.start()]
                    after = text[match.end() : match.end() + 12]
                    if not (_NEGATED.search(before) or _NEGATIVE_AFTER.match(after)):
                        found.setdefault(ident, []).append(_hit(field, match, confidence))
        order = list(self._targets)
        summed = {ident: _summed(hits) for ident, hits in found.items()}
        return tuple(
            TargetAnnotation(target=ident, evidence=evidence, confidence=confidence)
            for ident, (evidence, confidence) in sorted(
                summed.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 999
            )
        )

    def indications(
        self, texts: Sequence[tuple[str, str, Confidence]]
    ) -> tuple[IndicationAnnotation, ...]:
        """The indications named in the title, acronym and conditions (the most specific)."""
        found: dict[str, list[_Hit]] = {}
        for field, text, confidence in texts:
            if field.startswith(("interventions", "summary")):
                continue
            for ident, pattern in self._indications.items():
                if (match := pattern.search(text)) is not None:
                    found.setdefault(ident, []).append(_hit(field, match, confidence))
        reg = self._registry
        specific = [
            ident
            for ident in found
            if not any(other != ident and ident in _ancestors(reg, other) for other in found)
        ]
        summed = {ident: _summed(found[ident]) for ident in specific}
        return tuple(
            IndicationAnnotation(indication=ident, evidence=evidence, confidence=confidence)
            for ident, (evidence, confidence) in summed.items()
        )

    def modality(
        self,
        texts: Sequence[tuple[str, str, Confidence]],
        products: Sequence[ProductAnnotation] = (),
    ) -> ModalityAnnotation | None:
        """The kind of CAR-based cell therapy the texts name, or TCR-T; None if neither."""
        for modality, pattern in (
            (Modality.CAR_NK, _CAR_NK),
            (Modality.OTHER, _CAR_OTHER),
            (Modality.CAR_T, _CAR),
            (Modality.TCR_T, _TCR),
        ):
            hits = _searched(texts, pattern)
            if modality is Modality.CAR_T:
                hits.extend(
                    (e, Confidence.MEDIUM)
                    for e, _ in _searched(
                        (t for t in texts if not t[0].startswith("summary")), _TARGETED_T
                    )
                )
                hits.extend(
                    (e, p.confidence)
                    for p in products
                    if self._registry.therapies[p.therapy].modality is Modality.CAR_T
                    for e in p.evidence
                )
            if hits:
                evidence, confidence = _summed(hits)
                return ModalityAnnotation(
                    modality=modality, evidence=evidence, confidence=confidence
                )
        return None

    def scope(
        self,
        texts: Sequence[tuple[str, str, Confidence]],
        modality: ModalityAnnotation | None,
        study_type: StudyType | None = None,
    ) -> ScopeAnnotation | None:
        """Whether a CAR-based trial gives the product or only mentions one (None if not CAR)."""
        if modality is None or modality.modality not in _CAR_VALUES:
            return None
        title = next(text for field, text, _ in texts if field == "title")
        in_interventions = [e for e in modality.evidence if e.field.startswith("interventions")]
        names = [text for field, text, _ in texts if field.startswith("interventions")]

        def flagged(scope: Scope, field: str, match: re.Match[str]) -> ScopeAnnotation:
            return ScopeAnnotation(
                scope=scope,
                evidence=(Evidence(field=field, text=match.group(0)),),
                confidence=Confidence.MEDIUM,
            )

        if study_type is StudyType.OBSERVATIONAL:
            return ScopeAnnotation(
                scope=Scope.OBSERVATIONAL,
                evidence=(Evidence(field="study_type", text="observational"),),
                confidence=Confidence.HIGH,
            )
        match = _OBSERVATIONAL.search(title)
        if match is not None:
            return flagged(Scope.OBSERVATIONAL, "title", match)
        match = _IMAGING.search(title)
        if match is not None:
            return flagged(Scope.IMAGING, "title", match)
        if not in_interventions:
            context = _CONTEXT.search(title)
            supportive = _SUPPORTIVE.search(title)
            if context is not None or supportive is not None:
                for i, name in enumerate(names):
                    match = _BISPECIFIC.search(name)
                    if match is not None:
                        return flagged(Scope.BISPECIFIC_ANTIBODY, f"interventions[{i}].name", match)
                match = _BISPECIFIC.search(title)
                if match is not None:
                    return flagged(Scope.BISPECIFIC_ANTIBODY, "title", match)
                if supportive is not None:
                    return flagged(Scope.SUPPORTIVE_CARE, "title", supportive)
                assert context is not None
                return flagged(Scope.OTHER_TREATMENT, "title", context)
        evidence = in_interventions or [e for e in modality.evidence if e.field == "title"]
        return ScopeAnnotation(
            scope=Scope.PIPELINE,
            evidence=tuple(evidence[:3]) or modality.evidence[:1],
            confidence=Confidence.HIGH if in_interventions else Confidence.MEDIUM,
        )

    # -- the whole trial ---------------------------------------------------------------------

    def annotate_text(
        self,
        *,
        title: str,
        acronym: str | None = None,
        interventions: Sequence[Intervention] = (),
        conditions: Sequence[str] = (),
        summary: str | None = None,
        study_type: StudyType | None = None,
    ) -> Annotation:
        """Annotate one trial's texts."""
        texts = _texts(title, acronym, interventions, conditions, summary)
        products = self.products(texts)
        modality = self.modality(texts, products)
        car = modality is not None and modality.modality in _CAR_VALUES
        return Annotation(
            modality=modality,
            scope=self.scope(texts, modality, study_type),
            targets=self.targets(texts, products) if car else (),
            products=products,
            indications=self.indications(texts),
        )


def _product_names(therapy: Therapy) -> list[str]:
    """The names of a therapy specific enough to find in free text."""
    names = [*therapy.codes, *therapy.brands]
    if therapy.inn:
        names.append(therapy.inn)
        names.append(therapy.name)
    names.extend(a for a in therapy.aliases if re.search(r"[A-Za-z]", a) and len(a) >= 5)
    return [n for n in names if len(n) >= 4]


def _ancestors(reg: Registry, ident: str) -> set[str]:
    found: set[str] = set()
    current = reg.indications.get(ident)
    while current is not None and current.parent is not None and current.parent not in found:
        found.add(current.parent)
        current = reg.indications.get(current.parent)
    return found


def _unique(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(dict.fromkeys(evidence))


def _labelled_target(annotator: Annotator, label: str) -> str:
    """The target id of a hand label: ``other:NAME`` resolved by name where a record exists."""
    from cartlandscape.errors import UnknownNameError

    if not label.startswith("other:"):
        return label
    try:
        return annotator.registry.lookup(label.removeprefix("other:"), "target").id
    except UnknownNameError:
        return label


@attrs.frozen
class Scores:
    """Precision and recall of the annotator against hand labels (see :func:`evaluate`)."""

    trials: int
    car_precision: float
    car_recall: float
    car_counts: tuple[int, int, int]
    unclear: int
    unclear_kept: int
    modality_accuracy: float
    target_precision: float
    target_recall: float
    target_counts: tuple[int, int, int]
    misses: tuple[str, ...]


def evaluate(labelled: Sequence[dict[str, object]], annotator: Annotator | None = None) -> Scores:
    """Score the annotator on hand-labelled trials (the test fixture's ``trials`` list).

    Each item has ``title``, ``interventions`` (``name``, ``type``), ``car_based`` (``yes``,
    ``no`` or ``unclear``: the title and intervention names do not say), ``modality`` and
    ``targets`` (target ids; ``other:NAME`` for an antigen that had no target record when the
    label was written).  An ``other:NAME`` label counts as the target the registry now names
    *NAME*, if there is one, and otherwise as an antigen the annotator cannot find (a miss).
    A trial counts as CAR-based when the annotator keeps it in the pipeline.  Targets are scored
    over the trials labelled CAR-based, as (trial, target) pairs; unclear trials are left out of
    the CAR figures and counted apart.
    """
    from cartlandscape.trials.model import InterventionType

    annotator = annotator or Annotator.default()
    tp = fp = fn = unclear = unclear_kept = 0
    ttp = tfp = tfn = 0
    modality_right = modality_total = 0
    misses: list[str] = []
    for item in labelled:
        interventions = tuple(
            Intervention(
                name=str(i["name"]),
                type=InterventionType(str(i["type"]).lower().replace("_", "-"))
                if i.get("type")
                else None,
            )
            for i in item["interventions"]  # type: ignore[attr-defined]
        )
        found = annotator.annotate_text(title=str(item["title"]), interventions=interventions)
        kept = found.scope is not None and found.scope.scope is Scope.PIPELINE
        label = item["car_based"]
        ident = str(item["registry_id"])
        if label == "unclear":
            unclear += 1
            unclear_kept += kept
            continue
        if label == "yes":
            tp += kept
            fn += not kept
            if not kept:
                misses.append(f"{ident}: CAR-based, not kept")
        else:
            fp += kept
            if kept:
                misses.append(f"{ident}: kept, not CAR-based")
        if label != "yes":
            continue
        if found.modality is not None:
            modality_total += 1
            modality_right += found.modality.modality.value == item["modality"]
        truth = {_labelled_target(annotator, str(t)) for t in item["targets"]}  # type: ignore[attr-defined]
        predicted = {a.target for a in found.targets}
        ttp += len(truth & predicted)
        tfp += len(predicted - truth)
        tfn += len(truth - predicted)
        for extra in sorted(predicted - truth):
            misses.append(f"{ident}: target {extra} not labelled")
        for missed in sorted(truth - predicted):
            misses.append(f"{ident}: target {missed} missed")

    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    return Scores(
        trials=len(labelled),
        car_precision=ratio(tp, tp + fp),
        car_recall=ratio(tp, tp + fn),
        car_counts=(tp, fp, fn),
        unclear=unclear,
        unclear_kept=unclear_kept,
        modality_accuracy=ratio(modality_right, modality_total),
        target_precision=ratio(ttp, ttp + tfp),
        target_recall=ratio(ttp, ttp + tfn),
        target_counts=(ttp, tfp, tfn),
        misses=tuple(misses),
    )
