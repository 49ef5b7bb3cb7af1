"""Where a command's output goes, and in which form: an aligned table, JSON or CSV.

Colour (bold headings) is used only when the stream is a terminal and ``NO_COLOR`` is not set;
tables are wrapped to the terminal's width only on a terminal, so piped output is plain,
complete text.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

import attrs

from cartlandscape.tables import CONTROL_CODES, Column, render_table, style, visible

__all__ = ["Output", "dumps"]


def dumps(document: Any) -> str:
    """The stable JSON text of *document*: keys sorted, two-space indent, UTF-8 kept as is.

    *document* is made JSON data by :func:`cartlandscape.export.plain`: records in their
    data-file form, values and dates as text, results as objects of their fields.
    """
    from cartlandscape.export import plain

    text = json.dumps(plain(document), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    # JSON escapes the C0 controls itself; DEL, C1 and bidirectional marks are escaped too, so
    # that JSON shown on a terminal cannot steer it (the data are unchanged: JSON reads them back).
    return text.translate(_JSON_HIDDEN)


_JSON_HIDDEN = {code: f"\\u{code:04x}" for code in CONTROL_CODES if code >= 0x7F}


@attrs.define
class Output:
    """A command's output stream with its format (``table``, ``json`` or ``csv``)."""

    stream: TextIO
    format: str = "table"
    color: bool = False
    width: int | None = None

    @classmethod
    def to(cls, stream: TextIO, format: str = "table") -> Output:
        """An output on *stream*, with colour and wrapping only if it is a terminal."""
        tty = bool(getattr(stream, "isatty", lambda: False)())
        width = shutil.get_terminal_size().columns if tty else None
        return cls(stream, format, color=tty and not os.environ.get("NO_COLOR"), width=width)

    def write(self, text: str = "") -> None:
        """Write *text* and a newline; control characters in it are shown, not obeyed."""
        self.stream.write(visible(text) + "\n")

    def heading(self, text: str) -> None:
        """Write a section heading (bold on a terminal)."""
        self.stream.write(style(visible(text), self.color) + "\n")

    def table(
        self, columns: Sequence[Column], rows: Iterable[Mapping[str, object]], indent: str = ""
    ) -> None:
        """Write an aligned table of *rows*; columns that are empty in every row are left out."""
        table = render_table(
            columns, rows, width=self.width, bold=self.color, indent=indent, skip_empty=True
        )
        self.stream.write(table + "\n")

    def text(self, text: str) -> None:
        """Write the text a library renderer gave (already shown, not obeyed), and a newline."""
        self.stream.write(text + "\n")

    def json(self, document: Any) -> None:
        """Write *document* as stable JSON (see :func:`dumps`)."""
        self.stream.write(dumps(document))

    def csv(self, keys: Sequence[str], rows: Iterable[Mapping[str, object]]) -> None:
        """Write *rows* as CSV with a header line of *keys*; lists are joined with ``"; "``.

        Cells are defused as :func:`cartlandscape.export.csv_cell` says; on a terminal,
        control characters are shown, not obeyed.
        """
        from cartlandscape.export import csv_cell

        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        writer = csv.writer(self.stream, lineterminator="\n")
        writer.writerow(keys)
        for row in rows:
            cells = [csv_cell(_csv_cell(row.get(k))) for k in keys]
            writer.writerow([visible(c) if tty and isinstance(c, str) else c for c in cells])

    def rows(self, columns: Sequence[Column], rows: Iterable[Mapping[str, object]]) -> None:
        """Write tabular data in the output's format.

        JSON is a list of objects keyed by the columns' keys; CSV has those keys as its header.
        """
        rows = list(rows)
        if self.format == "json":
            self.json([{c.key: row.get(c.key) for c in columns} for row in rows])
        elif self.format == "csv":
            self.csv([c.key for c in columns], rows)
        else:
            self.table(columns, rows)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(_csv_cell(v)) for v in value)
    return "" if value is None else value
