"""Draw a forest plot of the BCMA-directed products' ORR and a timeline of approvals (PNGs).

The forest plot shows every ORR result in multiple myeloma of the BCMA-directed products, each
with its 95% Wilson interval where the number of patients is known (a result given without one
is drawn as the source gave it). The products differ, so no pooled estimate is drawn. The
timelines show every NMPA and FDA approval by date, of all products and of the BCMA-directed
ones. Every figure cites its sources in a footnote. The files land in the working folder:
``bcma-orr-forest.png``, ``approvals-timeline.png`` and ``bcma-approvals-timeline.png``. Needs
matplotlib (the ``plot`` extra).
"""

from __future__ import annotations

from pathlib import Path

import attrs

import cartlandscape
from cartlandscape.compare import compare
from cartlandscape.plots import forest_plot, timeline_plot
from cartlandscape.summary import summarize


def main() -> None:
    reg = cartlandscape.registry()
    products = sorted(
        reg.therapies_for(target="BCMA", status="approved"), key=lambda therapy: therapy.name
    )
    comparison = compare(reg, products, endpoint="ORR", indication="multiple myeloma")
    print(f"{len(comparison.rows)} ORR results of {len(products)} BCMA-directed products:")
    for row in comparison.rows:
        print(f"  {row.name}: {row.value.describe()} (n={row.n or 'not given'}; {row.id})")
    forest = forest_plot(
        comparison,
        Path("bcma-orr-forest.png"),
        pooled=False,
        title="ORR of BCMA-directed CAR-T products in multiple myeloma",
    )
    print(f"Wrote {forest}")

    timeline = timeline_plot(reg, Path("approvals-timeline.png"), agencies=["NMPA", "FDA"])
    print(f"Wrote {timeline}")

    # The same timeline for the BCMA-directed products only: a summary whose timeline is cut.
    summary = summarize(reg)
    ids = {therapy.id for therapy in products}
    bcma = attrs.evolve(summary, timeline=tuple(e for e in summary.timeline if e.therapy in ids))
    path = timeline_plot(
        bcma,
        Path("bcma-approvals-timeline.png"),
        agencies=["NMPA", "FDA"],
        title="Approvals of BCMA-directed CAR-T products by the NMPA and the FDA",
    )
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()
