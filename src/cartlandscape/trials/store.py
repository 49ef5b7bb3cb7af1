"""The bundled trial snapshot: writing it, reading it lazily, and its metadata.

The snapshot is one gzip-compressed JSON file in the package data,
``{"meta": {...}, "trial": [records in their data-file form]}``, and beside it a small
``.meta.json`` copy of the metadata (counts precomputed at build time), so that
``cartlandscape summary`` can print the pipeline's counts without reading a single trial.

Trials are read only when asked for (``Registry.trials``, ``Registry.trials_for``), once per
registry; every reference a trial holds (targets, therapies, indications, the sponsor's
institution, cited sources) is checked against that registry, and any that does not resolve
is reported in one :class:`~cartlandscape.errors.DataError`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cartlandscape.errors import DataError, Problem

if TYPE_CHECKING:
    from cartlandscape._registry import RecordSet, Registry
    from cartlandscape.trials.convert import Dropped
    from cartlandscape.trials.model import Trial

__all__ = [
    "BUNDLE_NAME",
    "FORMAT",
    "bundled_meta",
    "bundled_path",
    "metadata",
    "read_trials",
    "trials_of",
    "write_bundle",
]

#: The file name of the bundled snapshot inside the package's ``trials/data`` folder.
BUNDLE_NAME: Final = "ctgov-cart-trials.json.gz"
#: The format tag of bundle files this version reads.
FORMAT: Final = "cartlandscape-trials/1"
_META_SUFFIX = ".meta.json"


def bundled_path() -> Traversable:
    """Where the bundled snapshot is."""
    return files("cartlandscape.trials") / "data" / BUNDLE_NAME


def _meta_path_for(path: Path) -> Path:
    name = path.name.removesuffix(".gz").removesuffix(".json")
    return path.with_name(name + _META_SUFFIX)


def bundled_meta() -> dict[str, Any]:
    """The metadata of the bundled snapshot (counts, sources, retrieval), without its trials."""
    meta = files("cartlandscape.trials") / "data" / BUNDLE_NAME.replace(".json.gz", _META_SUFFIX)
    data: dict[str, Any] = json.loads(meta.read_bytes())
    return data


def metadata(
    trials: Sequence[Trial],
    dropped: Sequence[Dropped],
    *,
    retrieved: str,
    sources: Mapping[str, str],
    input_sha256: str | None = None,
) -> dict[str, Any]:
    """The metadata of a bundle: where its trials come from, and counts worked out once."""
    pipeline = [t for t in trials if t.in_pipeline]
    targets = Counter(ident for t in pipeline for ident in t.target_ids)
    return {
        "format": FORMAT,
        "retrieved": retrieved,
        "sources": dict(sources),
        "input_sha256": input_sha256,
        "counts": {
            "trials": len(trials),
            "pipeline": len(pipeline),
            "flagged": dict(
                sorted(
                    Counter(
                        t.scope.scope.value for t in trials if t.scope and not t.in_pipeline
                    ).items()
                )
            ),
            "dropped": len(dropped),
            "dropped_reasons": dict(sorted(Counter(d.reason for d in dropped).items())),
            "modalities": dict(
                sorted(Counter(t.modality.modality.value for t in pipeline if t.modality).items())
            ),
            "statuses": dict(sorted(Counter(t.status.value for t in pipeline).items())),
            "targets": dict(targets.most_common()),
            "countries": dict(Counter(c for t in pipeline for c in t.countries).most_common()),
        },
    }


def write_bundle(path: str | Path, trials: Iterable[Trial], meta: Mapping[str, Any]) -> str:
    """Write *trials* and *meta* as a bundle file (gzip JSON) and its ``.meta.json``.

    The ``.meta.json`` adds ``sha256``, the SHA-256 of the bundle, which is also returned.  The
    output is byte-for-byte reproducible: the gzip header holds no time stamp and the trials are
    sorted by id.
    """
    from cartlandscape.serialization import converter

    path = Path(path)
    records = [converter().unstructure(t) for t in sorted(trials, key=lambda t: t.id)]
    text = json.dumps(
        {"meta": dict(meta), "trial": records},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    data = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    digest = hashlib.sha256(data).hexdigest()
    path.write_bytes(data)
    _meta_path_for(path).write_text(
        json.dumps({**meta, "sha256": digest}, ensure_ascii=False, sort_keys=True, indent=2) + "\n",
        encoding="utf-8",
    )
    return digest


def read_trials(path: str | Path | Traversable) -> tuple[list[Trial], dict[str, Any]]:
    """The trials and the metadata of a bundle file; raise DataError naming what is wrong."""
    from cartlandscape.serialization import error_messages, structure, structurer
    from cartlandscape.trials.model import Trial

    name = str(path)
    try:
        raw = path.read_bytes() if not isinstance(path, str) else Path(path).read_bytes()
        document = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, ValueError, EOFError) as exc:
        raise DataError([Problem(f"cannot read the trial bundle: {exc}", file=name)]) from None
    if not isinstance(document, dict) or not isinstance(document.get("trial"), list):
        raise DataError([Problem("expected an object with a 'trial' list", file=name)])
    meta = document.get("meta") or {}
    if meta.get("format") != FORMAT:
        raise DataError(
            [
                Problem(
                    f"expected a bundle of format {FORMAT!r}, found {meta.get('format')!r}",
                    file=name,
                )
            ]
        )
    fast = structurer(Trial)
    trials: list[Trial] = []
    problems: list[Problem] = []
    for index, item in enumerate(document["trial"]):
        try:
            trials.append(fast(item))
            continue
        except Exception:  # described below, with where it is
            pass
        label = item.get("id") if isinstance(item, dict) else None
        try:
            trials.append(structure(item, Trial))
        except Exception as exc:
            problems.extend(
                Problem(
                    message,
                    file=name,
                    kind="trial",
                    record=label or f"#{index + 1}",
                    field=field or None,
                )
                for field, message in error_messages(exc)
            )
    if problems:
        raise DataError(problems)
    return trials, dict(meta)


def check_references(trials: Iterable[Trial], registry: Registry, file: str) -> None:
    """Raise DataError for every reference of *trials* that *registry* does not hold."""
    from cartlandscape._registry import Registry as _Registry

    problems = [
        Problem(
            f"no {kind} has the id {ident!r} in this registry (the trials were annotated "
            "against the bundled data; load it with the bundled data)",
            file=file,
            kind="trial",
            record=trial.id,
            field=field,
        )
        for trial in trials
        for field, kind, ident in _Registry.references(trial)
        if registry.get(kind, ident) is None
    ]
    if problems:
        raise DataError(problems)


_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[Registry, RecordSet[Trial]] = weakref.WeakKeyDictionary()


def trials_of(registry: Registry, path: str | Path | None = None) -> RecordSet[Trial]:
    """The trials of the bundled snapshot (or of the bundle at *path*), checked against *registry*.

    The bundled snapshot is read once per registry, on first use.
    """
    from cartlandscape._registry import RecordSet

    if path is not None:
        trials, _ = read_trials(path)
        check_references(trials, registry, str(path))
        return RecordSet(trials)
    with _lock:
        found = _cache.get(registry)
        if found is None:
            source = bundled_path()
            trials, _ = read_trials(source)
            check_references(trials, registry, str(source))
            found = _cache[registry] = RecordSet(trials)
    return found


def pipeline_summary(registry: Registry | None = None, top: int = 5) -> dict[str, Any]:
    """The bundled snapshot's counts for a summary, read from its metadata (no trial is read).

    ``targets`` and ``countries`` list the *top* targets (by name when *registry* is given) and
    countries by pipeline trials, most first, each ``{"target" or "country", "trials"}``.
    """
    meta = bundled_meta()
    counts = meta["counts"]

    def ranked(found: Mapping[str, int]) -> list[tuple[str, int]]:
        return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))

    return {
        "retrieved": meta["retrieved"],
        "trials": counts["trials"],
        "pipeline": counts["pipeline"],
        "flagged": counts["flagged"],
        "dropped": counts["dropped"],
        "modalities": counts["modalities"],
        "recruiting": counts["statuses"].get("recruiting", 0),
        "targets": [
            {"target": k if registry is None else registry.label_of("target", k), "trials": v}
            for k, v in ranked(counts["targets"])[:top]
        ],
        "countries": [{"country": k, "trials": v} for k, v in ranked(counts["countries"])[:top]],
    }
