"""Aligned text tables for a terminal: display widths, wrapping to a width, an optional bold header.

Widths are counted as a terminal shows them: East Asian wide characters take two cells and
combining marks none, so tables holding Chinese names stay aligned.

>>> columns = [Column("target", "Target"), Column("products", "Products", align="right")]
>>> rows = [{"target": "CD19", "products": 7}, {"target": "BCMA", "products": 3}]
>>> print(render_table(columns, rows))
Target  Products
------  --------
CD19           7
BCMA           3

Given a ``width``, the widest columns are wrapped onto several lines until the table fits:

>>> rows = [{"name": "Shanghai gene therapy action plan", "country": "CN"}]
>>> print(render_table([Column("name", "Name"), Column("country", "Country")], rows, width=24))
Name             Country
---------------  -------
Shanghai gene    CN
therapy action
plan
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Literal

import attrs

__all__ = [
    "BOLD",
    "CONTROL_CODES",
    "Column",
    "cell_text",
    "display_width",
    "render_table",
    "style",
    "visible",
    "wrap",
]

#: The escape sequences that start bold text and reset it.
BOLD = ("\x1b[1m", "\x1b[0m")
#: The spaces between two columns.
GAP = 2
#: A column is not wrapped narrower than this (unless its header and cells are narrower).
MIN_WIDTH = 8


@attrs.frozen
class Column:
    """One column of a table: the key of its cells in each row, its header, its alignment."""

    key: str
    header: str
    align: Literal["left", "right"] = "left"


def display_width(text: str) -> int:
    """The number of terminal cells *text* takes.

    >>> display_width("CD19"), display_width("细胞治疗"), display_width("é")
    (4, 8, 1)
    """
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


#: The characters a terminal obeys rather than shows: control characters but for line feed and
#: tab, DEL, the C1 controls, and the marks that reorder text (bidirectional overrides, isolates).
CONTROL_CODES: Final = frozenset(
    (
        *range(0x09),
        *range(0x0B, 0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
)
_HIDDEN: Final = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in CONTROL_CODES
}


def visible(text: str) -> str:
    r"""*text* with the characters a terminal would obey instead of show written out.

    Escape sequences (which can clear the screen or retitle the window), other control
    characters and bidirectional overrides (which reorder what is shown) become visible
    escapes; line feeds and tabs stay.

    >>> visible("CAR-T\x1b[2J cells \u202eevil")
    'CAR-T\\x1b[2J cells \\u202eevil'
    """
    return text.translate(_HIDDEN)


def cell_text(value: object) -> str:
    """The text of one cell: nothing for None, lists joined by commas, whole floats as integers.

    >>> cell_text(None), cell_text(("CD19", "BCMA")), cell_text(12.0), cell_text(87.5)
    ('', 'CD19, BCMA', '12', '87.5')
    """
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return visible(str(value))


def _split(word: str, width: int) -> Iterable[str]:
    piece, used = "", 0
    for ch in word:
        w = display_width(ch)
        if piece and used + w > width:
            yield piece
            piece, used = "", 0
        piece += ch
        used += w
    if piece:
        yield piece


def wrap(text: str, width: int) -> list[str]:
    """Break *text* into lines of at most *width* cells, at spaces where it can.

    >>> wrap("Inaticabtagene autoleucel", 16)
    ['Inaticabtagene', 'autoleucel']
    >>> wrap("abcdefghij", 4)
    ['abcd', 'efgh', 'ij']
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0
        for word in paragraph.split():
            for part in _split(word, width) if display_width(word) > width else [word]:
                w = display_width(part)
                if line and used + 1 + w > width:
                    lines.append(line)
                    line, used = "", 0
                line, used = (f"{line} {part}", used + 1 + w) if line else (part, w)
        lines.append(line)
    return lines


def style(text: str, enabled: bool) -> str:
    """*text* in bold when *enabled* (a terminal that shows colour), else unchanged."""
    return f"{BOLD[0]}{text}{BOLD[1]}" if enabled and text else text


def _pad(text: str, width: int, align: str) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if align == "right" else text + fill


def _fit(natural: list[int], floors: list[int], width: int) -> list[int]:
    widths = list(natural)
    room = width - GAP * (len(widths) - 1)
    while sum(widths) > room:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _line(parts: Sequence[str], widths: Sequence[int], columns: Sequence[Column]) -> str:
    padded = (_pad(p, w, c.align) for p, w, c in zip(parts, widths, columns, strict=True))
    return (" " * GAP).join(padded)


def render_table(
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, object]],
    *,
    width: int | None = None,
    bold: bool = False,
    indent: str = "",
    skip_empty: bool = False,
) -> str:
    """Render *rows* as an aligned table with a header line and a rule under it.

    Each row maps column keys to cell values (see :func:`cell_text`).  With a *width*, wide
    columns are wrapped so that lines fit it where they can; without one nothing is wrapped.
    *bold* makes the header bold.  With *skip_empty*, a column that is empty in every row is
    left out (the first column stays when all are).  Lines carry no trailing spaces.
    """
    rows = list(rows)
    if skip_empty:
        kept = [c for c in columns if any(row.get(c.key) not in (None, "", ()) for row in rows)]
        columns = kept or columns[:1]
    cells = [[cell_text(row.get(c.key)) for c in columns] for row in rows]
    headers = [c.header for c in columns]
    widths = [
        max([display_width(h), *(display_width(r[i]) for r in cells)])
        for i, h in enumerate(headers)
    ]
    if width is not None:
        floors = [
            min(n, max(MIN_WIDTH, display_width(c.header)))
            for n, c in zip(widths, columns, strict=True)
        ]
        widths = _fit(widths, floors, width - len(indent))
    lines = [
        indent + style(_line(headers, widths, columns).rstrip(), bold),
        indent + _line(["-" * w for w in widths], widths, columns),
    ]
    for row in cells:
        wrapped = [
            wrap(t, w) if display_width(t) > w else [t] for t, w in zip(row, widths, strict=True)
        ]
        for k in range(max(len(parts) for parts in wrapped)):
            parts = [p[k] if k < len(p) else "" for p in wrapped]
            lines.append((indent + _line(parts, widths, columns)).rstrip())
    return "\n".join(lines)
