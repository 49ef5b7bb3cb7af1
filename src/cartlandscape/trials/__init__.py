"""The registered-trial pipeline: trial records, their annotation, the bundled snapshot, queries.

- :mod:`cartlandscape.trials.model`: the :class:`Trial` record and its parts;
- :mod:`cartlandscape.trials.annotate`: modality, scope, targets, products and indications,
  each with its evidence and confidence;
- :mod:`cartlandscape.trials.convert`: trials from ClinicalTrials.gov API v2 studies
  (:func:`from_api_studies`) or from the snapshot table (:func:`from_csv_rows`);
- :mod:`cartlandscape.trials.store`: the bundled snapshot, read lazily;
- :mod:`cartlandscape.trials.build`: ``python -m cartlandscape.trials.build SRC -o OUT``;
- :mod:`cartlandscape.trials.ctgov`: studies fetched from the ClinicalTrials.gov API v2, page by
  page, politely and resumably (``cartlandscape trials fetch``);
- :mod:`cartlandscape.trials.query`: ``Registry.trials_for`` and the landscape tables.

Nothing here is imported by ``import cartlandscape``; the snapshot is read only when a trial
query asks for it.
"""

from __future__ import annotations
