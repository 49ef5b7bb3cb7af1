"""A notebook in cells: the evidence of the approved products as tables, plots and HTML.

Each ``# %%`` marks a cell (Jupyter, VS Code and Spyder run them one by one; ``python
evidence_notebook.py`` runs them all). The cells build DataFrames of the outcomes with their
95% Wilson intervals, a forest plot of ORR in multiple myeloma, the approvals timeline, and
the HTML tables a notebook shows for a record, a comparison and the summary (citations linked
to their sources), then write the whole landscape report. In the working folder it writes
``mm-orr-forest.svg``, ``approvals-timeline.svg``, ``kymriah.html`` and ``landscape.html``.
Needs pandas and matplotlib (the ``pandas`` and ``plot`` extras).
"""

# %% Load the data: a registry of cited records.
from __future__ import annotations

from pathlib import Path

import pandas as pd

import cartlandscape
from cartlandscape import compare, rank, summarize, to_dataframe
from cartlandscape.plots import forest_plot, timeline_plot
from cartlandscape.report import write_report
from cartlandscape.stats import proportion_ci

reg = cartlandscape.registry()
print(repr(reg))

# %% Outcomes of the approved products as a DataFrame: counts are nullable integers (Int64),
# a missing value is pd.NA, and the cited sources have a column of their own.
approved = [t for t in reg.therapies if t.is_approved]
outcomes = [o for o in reg.outcomes if o.therapy in {t.id for t in approved}]
frame = to_dataframe(outcomes)
columns = ["therapy", "endpoint", "indication", "value_magnitude", "n", "responders", "sources"]
print(frame[columns].head(8).to_string())
print(frame[["n", "responders"]].dtypes.to_string())

# %% Add 95% Wilson intervals where the source gives counts.
efficacy = frame[frame["endpoint"].isin(["orr", "cr"]) & frame["n"].notna()].copy()
intervals = [proportion_ci(reg.outcomes[ident], method="wilson") for ident in efficacy["id"]]
efficacy["ci_low"] = pd.array([round(ci.low, 1) for ci in intervals], dtype="Float64")
efficacy["ci_high"] = pd.array([round(ci.high, 1) for ci in intervals], dtype="Float64")
print(efficacy[["therapy", "endpoint", "indication", "n", "ci_low", "ci_high"]].to_string())

# %% Approval milestones: one row per milestone with its therapy.
milestones = to_dataframe(reg.milestones_for(type="approval"))
print(milestones[["therapy_name", "agency", "type", "date", "sources"]].to_string())

# %% A forest plot: ORR in multiple myeloma, each outcome with its Wilson interval.
ranking = rank(reg, endpoint="ORR", indication="multiple myeloma", allow_mismatch=True)
print(ranking)
forest_plot(ranking, "mm-orr-forest.svg", pooled=False)

# %% The approvals timeline.
timeline_plot(reg, "approvals-timeline.svg")

# %% What a notebook shows: records, comparisons and the summary display as HTML tables.
# A record alone names its sources by id; shown through the registry they become links.
kymriah = reg.lookup("Kymriah")
print(repr(kymriah))
print(kymriah)
Path("kymriah.html").write_text(reg.display(kymriah)._repr_html_(), encoding="utf-8")
comparison = compare(reg, ["Kymriah", "Yescarta"], endpoint="CR", allow_mismatch=True)
print(repr(comparison))
summary = summarize(reg)
print(repr(summary), len(summary._repr_html_()), "characters of HTML")

# %% The whole landscape as one page that opens offline.
print("wrote", write_report(reg, "landscape.html"))
