"""Compare the BCMA-directed CAR-T products approved in China and in the US: ORR and CR.

The products come from the registry — every therapy directed against BCMA with an approval by
China's NMPA or the US FDA — and so do their results. For multiple myeloma the complete
response is reported as "stringent CR or CR" (the endpoint ``sCR/CR``) or, by some sources, as
the stringent CR alone (``sCR``); the two are kept apart and both are shown. Each product may have
several results: the label's and the paper's data cuts, or several trials; all are shown, each
with its citation, and with a 95% Wilson interval where the number of patients is known.
Pooling would mix different products and is left out on purpose.
"""

from __future__ import annotations

import cartlandscape
from cartlandscape.compare import ComparisonError, compare
from cartlandscape.stats import InsufficientDataError, proportion_ci
from cartlandscape.tables import Column, render_table

AGENCIES = {"NMPA": "China", "FDA": "US"}
ENDPOINTS = ("ORR", "sCR/CR", "sCR")


def approved_bcma_products(reg: cartlandscape.Registry) -> list[cartlandscape.Therapy]:
    """The BCMA-directed products approved by the NMPA or the FDA, in name order."""
    found = {
        therapy.id: therapy
        for agency in AGENCIES
        for therapy in reg.therapies_for(target="BCMA", status="approved", agency=agency)
    }
    return sorted(found.values(), key=lambda t: t.name)


def main() -> None:
    reg = cartlandscape.registry()
    print(f"cartlandscape data {reg.version}\n")
    products = approved_bcma_products(reg)

    print("BCMA-directed products approved in China (NMPA) and in the US (FDA)")
    for therapy in products:
        firsts = []
        for agency, country in AGENCIES.items():
            first = therapy.first_approval(agency)
            if first is not None:
                firsts.append(f"{country} {first.date or 'date not given'}")
        brands = f" ({', '.join(therapy.brands)})" if therapy.brands else ""
        print(f"  {therapy.name}{brands}: first approved in {'; '.join(firsts)}")
    print()

    columns = [
        Column("name", "Product"),
        Column("study", "Study"),
        Column("value", "Reported"),
        Column("n", "n", "right"),
        Column("ci", "95% CI (Wilson)"),
        Column("source", "Source: locator"),
    ]
    for endpoint in ENDPOINTS:
        reporting = [t for t in products if reg.outcomes_for(therapy=t, endpoint=endpoint)]
        if len(reporting) < 2:
            print(f"{endpoint}: fewer than two products report it; nothing to compare.\n")
            continue
        try:
            comparison = compare(reg, reporting, endpoint=endpoint, indication="multiple myeloma")
        except ComparisonError as exc:
            # Results at different time points, say: compare anyway, with each row flagged.
            print(f"{endpoint}: {exc}\nCompared anyway, with the mismatches flagged.")
            comparison = compare(
                reg,
                reporting,
                endpoint=endpoint,
                indication="multiple myeloma",
                allow_mismatch=True,
            )
        rows = []
        for row in comparison.rows:
            try:
                ci = proportion_ci(row.outcome)
                interval = f"{ci.low:.1f}–{ci.high:.1f}%" + (" *" if ci.derived else "")
            except InsufficientDataError:
                interval = "(no n)"
            citation = row.citations[0]
            rows.append(
                {
                    "name": row.name + (f" [differs: {', '.join(row.flags)}]" if row.flags else ""),
                    "study": row.outcome.study.name if row.outcome.study else None,
                    "value": row.value.describe(),
                    "n": row.n,
                    "ci": interval,
                    "source": f"{citation.source}: {citation.locator}",
                }
            )
        print(f"{endpoint} in multiple myeloma, {len(rows)} results")
        print(render_table(columns, rows, width=200, indent="  "))
        print()
    print("* responders derived from the reported percentage and n (rounded half up).")


if __name__ == "__main__":
    main()
