"""Load trial data of your own with the bundled data, and validate it as CI would.

The script writes a small data folder (``my-data/``) in the working folder: a source, a hospital
and that hospital's result with a product of the bundled data. It loads it with
``cartlandscape.load``, queries it, then checks it with ``cartlandscape validate`` — first as it
is, then with two mistakes, to show the problems reported and the exit status a CI job sees.
The records are made up for the example (their ids start with ``example``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cartlandscape

DATA = """\
[[source]]
id = "example-hospital-report"
title = "Example Hospital annual report"
type = "report"

[[institution]]
id = "example-hospital"
name = "Example Hospital"
type = "hospital"
country = "CN"
citations = [{ source = "example-hospital-report", locator = "page 1" }]

[[outcome]]
id = "example-hospital-b-all-cr"
therapy = "inaticabtagene-autoleucel"
institution = "example-hospital"
indication = "b-cell-acute-lymphoblastic-leukemia"
endpoint = "cr"
value = "85 percent"
n = 20
responders = 17
setting = "clinical-practice"
citations = [{ source = "example-hospital-report", locator = "Table 3" }]
"""

#: The same outcome with two mistakes: a value without its unit, and a count that is not whole.
MISTAKES = """\
[[outcome]]
id = "example-hospital-b-all-orr"
institution = "example-hospital"
endpoint = "orr"
value = 90
n = 20.5
citations = [{ source = "example-hospital-report", locator = "Table 3" }]
"""


def validate(folder: Path) -> int:
    """Run ``cartlandscape validate`` on *folder*, as a CI step would, and return its status."""
    done = subprocess.run(
        [sys.executable, "-m", "cartlandscape.cli", "validate", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"$ cartlandscape validate {folder}   (exit status {done.returncode})")
    print((done.stdout + done.stderr).rstrip())
    return done.returncode


def main() -> None:
    folder = Path("my-data")
    folder.mkdir(exist_ok=True)
    (folder / "hospital.toml").write_text(DATA, encoding="utf-8")

    reg = cartlandscape.load(folder)
    print(f"Loaded {len(reg)} records: the bundled data and {folder}/")
    for outcome in reg.outcomes_for(institution="Example Hospital"):
        therapy = reg.therapies[outcome.therapy] if outcome.therapy else None
        print(
            f"  {outcome.endpoint.label} {outcome.value.describe()} "
            f"({outcome.responders}/{outcome.n}) with {therapy.name if therapy else '?'}"
        )
    print()

    assert validate(folder) == 0

    (folder / "more.toml").write_text(MISTAKES, encoding="utf-8")
    print()
    assert validate(folder) == 1
    try:
        cartlandscape.load(folder)
    except cartlandscape.DataError as exc:
        print(f"\nIn Python the same problems are on DataError.problems ({len(exc.problems)}):")
        for problem in exc.problems:
            print(f"  {problem.record} / {problem.field}: {problem.message}")


if __name__ == "__main__":
    main()
