"""The landscape summary as pandas DataFrames, and a few questions answered with them.

``cartlandscape.export.to_dataframe`` turns the summary (or any records or results) into a
DataFrame with one column per field (dates as ``YYYY[-MM[-DD]]`` text). The script
shows the approved products by target and by indication, the first approvals per agency, and a
count of first approvals by year and agency; it also writes the approvals to ``approvals.csv``.
Needs pandas (the ``pandas`` extra).
"""

from __future__ import annotations

import pandas as pd

import cartlandscape
from cartlandscape.export import to_csv, to_dataframe
from cartlandscape.summary import summarize


def main() -> None:
    reg = cartlandscape.registry()
    summary = summarize(reg)
    pd.set_option("display.width", 160)
    pd.set_option("display.max_colwidth", 60)

    groups = to_dataframe(summary)
    print(f"cartlandscape data {summary.version}: {len(groups)} summary groups\n")
    for section, label in (
        ("targets", "target"),
        ("indications", "indication"),
        ("agencies", "agency"),
    ):
        table = groups[groups["section"] == section][["key", "count", "therapies"]]
        print(f"Approved products by {label}:")
        print(table.to_string(index=False), end="\n\n")

    approvals = to_dataframe(summary.approvals)
    # The year of first approval, or <NA> if no source dates it.
    approvals["year"] = approvals["date"].str[:4].astype("Int64")
    print("First approval of each product by each agency:")
    shown = approvals[["agency", "name", "targets", "indication", "date", "other_dates"]]
    print(shown.to_string(index=False), end="\n\n")

    per_year = approvals.pivot_table(
        index="year", columns="agency", values="therapy", aggfunc="count", fill_value=0
    )
    print("First approvals by year and agency:")
    print(per_year.to_string(), end="\n\n")

    both = approvals.groupby("therapy")["agency"].nunique()
    names = dict(zip(approvals["therapy"], approvals["name"], strict=False))
    print(
        "Approved by both the NMPA and the FDA:", ", ".join(names[t] for t in both[both > 1].index)
    )

    with open("approvals.csv", "w", encoding="utf-8", newline="") as handle:
        handle.write(to_csv(summary.approvals))
    print("Wrote approvals.csv")


if __name__ == "__main__":
    main()
