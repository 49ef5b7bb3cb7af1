"""Benchmarks of cartlandscape against baselines measured in the same run.

Run ``python benchmarks/run.py`` (``--size N`` sets the number of synthetic outcome records,
default 100000; ``--repeat R`` the repetitions, default 5).  Every measurement is the median of
its repetitions and is printed beside its baseline with their ratio and the budget.  Timings are
never asserted in the test suite: machines are noisy, ratios measured side by side are not.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import tomllib
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ENDPOINTS = ["orr", "cr", "cr-cri", "scr-cr"]


def median_time(func: Callable[[], object], repeat: int) -> float:
    """The median wall time of *repeat* calls of *func*."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_python(code: str, **env: str) -> None:
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, **env},
    )


def synthetic(size: int, seed: int = 20261122) -> dict[str, list[dict[str, Any]]]:
    """A deterministic dataset: *size* outcomes over a few hundred therapies."""
    rng = random.Random(seed)
    cite = [{"source": "synthetic-source", "locator": "table 1"}]
    n_targets, n_indications, n_therapies = 40, 60, max(10, size // 200)
    document: dict[str, list[dict[str, Any]]] = {
        "source": [{"id": "synthetic-source", "title": "Synthetic data", "type": "database"}],
        "target": [
            {"id": f"syn-target-{i}", "name": f"Synthetic target {i}", "citations": cite}
            for i in range(n_targets)
        ],
        "indication": [
            {
                "id": f"syn-indication-{i}",
                "name": f"Synthetic indication {i}",
                "category": "hematologic-malignancy",
                "citations": cite,
            }
            for i in range(n_indications)
        ],
        "therapy": [
            {
                "id": f"syn-therapy-{i}",
                "name": f"Synthetic therapy {i}",
                "codes": [f"SYN-{i}"],
                "targets": [f"syn-target-{rng.randrange(n_targets)}"],
                "citations": cite,
            }
            for i in range(n_therapies)
        ],
        "outcome": [],
    }
    for i in range(size):
        n = rng.randrange(10, 300)
        responders = rng.randrange(0, n + 1)
        document["outcome"].append(
            {
                "id": f"syn-outcome-{i}",
                "therapy": f"syn-therapy-{rng.randrange(n_therapies)}",
                "indication": f"syn-indication-{rng.randrange(n_indications)}",
                "endpoint": rng.choice(ENDPOINTS),
                "value": f"{round(100 * responders / n, 1)} percent",
                "n": n,
                "responders": responders,
                "follow_up": f"{rng.randrange(3, 60)} month",
                "citations": cite,
            }
        )
    return document


def write_files(document: dict[str, list[dict[str, Any]]], folder: Path, parts: int) -> None:
    """Write the document as *parts* JSON files plus the same as TOML."""
    from cartlandscape.tools.canonical import dumps_toml

    outcomes = document["outcome"]
    head = {k: v for k, v in document.items() if k != "outcome"}
    (folder / "json").mkdir()
    (folder / "toml").mkdir()
    chunks = [outcomes[i::parts] for i in range(parts)]
    for i, chunk in enumerate(chunks):
        part = {**(head if i == 0 else {}), "outcome": chunk}
        (folder / "json" / f"part{i:03d}.json").write_text(json.dumps(part), encoding="utf-8")
        (folder / "toml" / f"part{i:03d}.toml").write_text(dumps_toml(part), encoding="utf-8")


def parse_only(folder: Path) -> None:
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        if path.suffix == ".json":
            json.loads(data)
        else:
            tomllib.loads(data.decode("utf-8"))


def plain_records(folder: Path) -> None:
    """Parse the JSON files and build frozen attrs records with the outcome's fields, unchecked.

    Not a cartlandscape measurement: the least any validated attrs-record model pays.
    """
    import attrs

    from cartlandscape.models import Citation, Outcome

    def plain(cls: type) -> Any:
        fields = {f.name: attrs.field(default=None) for f in attrs.fields(cls)}
        return attrs.make_class(f"Plain{cls.__name__}", fields, frozen=True, kw_only=True)

    outcome, citation = plain(Outcome), plain(Citation)
    for path in sorted(folder.iterdir()):
        for item in json.loads(path.read_bytes()).get("outcome", []):
            cites = tuple(citation(**c) for c in item["citations"])
            outcome(**{**item, "citations": cites})


def pydantic_load(folder: Path) -> Callable[[], None] | None:
    """A loader of the JSON files with pydantic v2 on models equivalent to the outcomes, or None.

    What a user would write instead of cartlandscape: typed models with the same fields, the
    endpoints as an enumeration, counts not negative, value texts split into a magnitude and a
    unit, ``extra="forbid"``; parsed and validated in one step by ``validate_json``.  No
    reference is resolved and no unit is checked, so it does less than cartlandscape does.
    """
    try:
        from typing import Annotated, Literal

        from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter
    except ImportError:
        return None

    def split(text: object) -> object:
        if isinstance(text, str):
            magnitude, _, unit = text.partition(" ")
            return {"magnitude": magnitude, "unit": unit}
        return text

    class Frozen(BaseModel):
        model_config = ConfigDict(frozen=True, extra="forbid")

    class Quantity(Frozen):
        magnitude: float
        unit: str

    class Citation(Frozen):
        source: str
        locator: str
        note: str | None = None

    class Outcome(Frozen):
        id: str
        therapy: str
        indication: str
        endpoint: Literal["orr", "cr", "cr-cri", "scr-cr"]
        value: Annotated[Quantity, BeforeValidator(split)]
        n: int = Field(ge=0)
        responders: int = Field(ge=0)
        follow_up: Annotated[Quantity, BeforeValidator(split)]
        citations: tuple[Citation, ...]

    class Named(Frozen):
        model_config = ConfigDict(frozen=True, extra="allow")
        id: str

    class Document(Frozen):
        source: list[Named] = Field(default_factory=list)
        target: list[Named] = Field(default_factory=list)
        indication: list[Named] = Field(default_factory=list)
        therapy: list[Named] = Field(default_factory=list)
        outcome: list[Outcome] = Field(default_factory=list)

    adapter = TypeAdapter(list[Document])
    blob = b"[" + b",".join(p.read_bytes() for p in sorted(folder.iterdir())) + b"]"

    def load() -> None:
        adapter.validate_json(blob)

    return load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import cartlandscape

    rows: list[tuple[str, float, str, float, float]] = []

    def record(name: str, value: float, baseline_name: str, baseline: float, budget: float) -> None:
        rows.append((name, value, baseline_name, baseline, budget))
        ratio = value / baseline if baseline else float("inf")
        print(
            f"{name:<34} {value * 1e3:10.3f} ms  {baseline_name:<34} {baseline * 1e3:10.3f} ms"
            f"  ratio {ratio:6.2f}  budget {budget:4.2f}  {'ok' if ratio <= budget else 'OVER'}",
            flush=True,
        )

    # 1. cold start and 2. import, in fresh interpreters, interleaved
    summary = (
        "from cartlandscape.cli import main; import sys, io; sys.stdout = io.StringIO();"
        " main(['summary'])"
    )
    run_python(summary)  # writes the parse cache of the bundled seeds, as any first start does
    cold = median_time(lambda: run_python(summary), args.repeat)
    floor = median_time(lambda: run_python("import attrs, cattrs, pint"), args.repeat)
    record("cold start: cartlandscape summary", cold, "import attrs, cattrs, pint", floor, 1.25)
    uncached = median_time(lambda: run_python(summary, CARTLANDSCAPE_CACHE="0"), args.repeat)
    record("  without the parse cache", uncached, "import attrs, cattrs, pint", floor, 1.25)
    # the trial snapshot is read only by a trial query, never by the summary
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, io\n"
            "opened = []\n"
            "sys.addaudithook(lambda e, a: e == 'open' and opened.append(str(a[0])))\n"
            f"{summary}\n"
            "print(any(p.endswith('.json.gz') for p in opened))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    print(
        f"  (the summary read the trial snapshot: {'yes' if 'True' in check.stdout else 'no'})",
        flush=True,
    )
    first_query = (
        "import cartlandscape; cartlandscape.registry().trials_for(target='CD19', phase='1')"
    )
    trials = median_time(lambda: run_python(first_query), args.repeat)
    print(
        f"  (for scale: a fresh start that runs one trial query, reading the bundled snapshot,"
        f" takes {trials * 1e3:.0f} ms, {trials / cold:.1f} x the summary)",
        flush=True,
    )
    imp = median_time(lambda: run_python("import cartlandscape"), args.repeat)
    imp_floor = median_time(lambda: run_python("import attrs, cattrs"), args.repeat)
    record("import cartlandscape", imp, "import attrs, cattrs", imp_floor, 1.10)

    # 4. load users' files, 5. query, 6. memory
    document = synthetic(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_files(document, folder, parts=10)
        for fmt in ("json", "toml"):
            repeat = max(1, args.repeat // 2)
            load = median_time(lambda f=fmt: cartlandscape.load(folder / f, bundled=False), repeat)
            parse = median_time(lambda f=fmt: parse_only(folder / f), repeat)
            record(f"load {args.size} outcomes ({fmt})", load, f"parse only ({fmt})", parse, 2.0)
            if fmt == "json":
                floor = median_time(lambda: plain_records(folder / "json"), repeat)
                print(
                    f"  (for scale: parsing and building plain unchecked attrs records, outcomes"
                    f" only, takes {floor * 1e3:.0f} ms, {floor / parse:.1f} x parsing alone)",
                    flush=True,
                )
                peer = pydantic_load(folder / "json")
                if peer is None:
                    print("  (pydantic is not installed: pip install '.[bench]' to compare)")
                else:
                    other = median_time(peer, repeat)
                    print(
                        f"  (the peer: pydantic v2 validate_json on equivalent models takes"
                        f" {other * 1e3:.0f} ms; cartlandscape's load is {load / other:.1f} x"
                        " that)",
                        flush=True,
                    )

        tracemalloc.start()
        big = cartlandscape.load(folder / "json", bundled=False)
        registry_bytes = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()

    # 3. alias lookup, per call, on the bundled registry
    reg = cartlandscape.registry()
    names = [name for therapy in reg.therapies for name in therapy.names()]
    plain = {name: i for i, name in enumerate(names)}
    calls = 20_000
    lookup = min(
        timeit.repeat(
            lambda: [reg.lookup(n) for n in names], number=calls // len(names), repeat=args.repeat
        )
    )
    dict_get = min(
        timeit.repeat(
            lambda: [plain.get(n) for n in names], number=calls // len(names), repeat=args.repeat
        )
    )
    record("alias lookup (per call)", lookup / calls, "dict.get (per call)", dict_get / calls, 3.0)

    outcome = document["outcome"][0]
    therapy = big.therapies[outcome["therapy"]]
    target, indication, endpoint = therapy.targets[0], outcome["indication"], outcome["endpoint"]
    query = median_time(
        lambda: big.outcomes_for(target=target, indication=indication, endpoint=endpoint),
        args.repeat * 4,
    )
    try:
        import pandas as pd
    except ImportError:
        print("pandas is not installed: the query and memory baselines are skipped")
    else:
        target_of = {t["id"]: t["targets"][0] for t in document["therapy"]}
        frame = pd.DataFrame(
            {
                "therapy": [o["therapy"] for o in document["outcome"]],
                "target": [target_of[o["therapy"]] for o in document["outcome"]],
                "indication": [o["indication"] for o in document["outcome"]],
                "endpoint": [o["endpoint"] for o in document["outcome"]],
                "value": [float(o["value"].split()[0]) for o in document["outcome"]],
                "n": [o["n"] for o in document["outcome"]],
            }
        )
        mask = median_time(
            lambda: frame[
                (frame.target == target)
                & (frame.indication == indication)
                & (frame.endpoint == endpoint)
            ],
            args.repeat * 4,
        )
        record("query outcomes by target+ind+endpoint", query, "pandas boolean mask", mask, 1.0)
        frame_bytes = int(frame.memory_usage(deep=True).sum())
        print(
            f"memory: registry of {args.size} outcomes {registry_bytes / 2**20:.1f} MiB;"
            f" equivalent DataFrame {frame_bytes / 2**20:.1f} MiB"
            f" (ratio {registry_bytes / frame_bytes:.1f}, budget 2.0,"
            f" {'ok' if registry_bytes <= 2 * frame_bytes else 'OVER'})"
        )


if __name__ == "__main__":
    main()
