"""The style sheet and script written into every report (inline: the page needs no network)."""

from __future__ import annotations

from typing import Final

CSS: Final = """
:root { --ink: #1d2330; --muted: #5b6478; --line: #dde2ea; --band: #f5f7fa; --accent: #1f5fa8;
        --nav-height: 52px; --gutter: 40px; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; }
header { background: #15365f; color: #fff; padding: 28px var(--gutter) 22px; }
header h1 { margin: 0 0 6px; font-size: 28px; font-weight: 650; letter-spacing: .2px; }
header p { margin: 0; color: #d5e1f2; }
nav { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line);
      padding: 8px var(--gutter); display: flex; gap: 4px 18px; font-size: 14px;
      white-space: nowrap; overflow-x: auto; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
main { padding: 8px var(--gutter) 48px; max-width: 1600px; }
section { margin-top: 30px; scroll-margin-top: var(--nav-height); }
h2 { font-size: 21px; margin: 0 0 4px; border-bottom: 2px solid var(--accent);
     padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.note { color: var(--muted); margin: 4px 0 10px; font-size: 14px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 18px; }
.card { background: var(--band); border: 1px solid var(--line); border-radius: 8px;
        padding: 10px 16px; min-width: 130px; }
.card b { display: block; font-size: 24px; color: #15365f; }
.card span { color: var(--muted); font-size: 13px; }
.tools { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 12px; margin: 8px 0; }
.tools input { font: inherit; padding: 5px 10px; border: 1px solid #b9c2d0; border-radius: 6px;
               flex: 0 1 280px; min-width: 0; }
.tools .count { color: var(--muted); font-size: 13px; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; vertical-align: top; padding: 6px 9px;
         border-bottom: 1px solid var(--line); }
thead th { background: var(--band); position: relative; vertical-align: bottom;
           border-bottom: 2px solid #c7cfdb; }
table.sortable thead th { cursor: pointer; user-select: none; padding-right: 20px; }
table.sortable thead th::after { content: "\\2195"; position: absolute; right: 6px;
                                 color: #9aa4b5; }
table.sortable thead th[aria-sort="ascending"]::after { content: "\\25B2"; color: var(--accent); }
table.sortable thead th[aria-sort="descending"]::after { content: "\\25BC"; color: var(--accent); }
tbody tr:nth-child(even) { background: #fbfcfd; }
tbody tr:hover { background: #eef4fb; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
td .sep { display: none; }
td .cites { display: block; min-width: 11rem; }
td { max-width: 24rem; }
td .cite { display: block; font-size: 12.5px; color: var(--muted); }
td .cite a { color: var(--accent); }
code { font-size: 12.5px; }
td code, td a { overflow-wrap: anywhere; }
.tag { display: inline-block; background: #e7eef8; color: #15365f; border-radius: 4px;
       padding: 0 6px; margin: 1px 2px 1px 0; font-size: 12.5px; }
figure { margin: 12px 0 18px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; }
.missing { background: #fff7e6; border: 1px solid #f0d9a8; border-radius: 6px; padding: 8px 12px; }
@media (max-width: 640px) {
  :root { --gutter: 14px; }
  body { font-size: 14px; }
  header h1 { font-size: 23px; }
  .card { min-width: 0; flex: 1 1 40%; padding: 8px 12px; }
  .card b { font-size: 20px; }
  td .cites { min-width: 9rem; }
}
footer { color: var(--muted); font-size: 13px; padding: 16px var(--gutter) 40px;
         border-top: 1px solid var(--line); }
"""

SCRIPT: Final = """
(function () {
  "use strict";
  function sortKey(cell) {
    var text = cell.getAttribute("data-sort");
    if (text === null) { text = cell.textContent.trim(); }
    if (text !== "" && /^-?\\d+(\\.\\d+)?([eE]-?\\d+)?$/.test(text)) {
      return [0, parseFloat(text)];
    }
    return [text === "" ? 2 : 1, text.toLowerCase()];
  }
  function compare(a, b) {
    if (a[0] !== b[0]) { return a[0] - b[0]; }
    return a[1] < b[1] ? -1 : (a[1] > b[1] ? 1 : 0);
  }
  function sortTable(table, index, header) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    rows.sort(function (x, y) {
      var a = sortKey(x.cells[index]), b = sortKey(y.cells[index]);
      var order = compare(a, b);
      if (a[0] === 2 || b[0] === 2) { return order; }
      return ascending ? order : -order;
    });
    Array.prototype.forEach.call(header.parentNode.cells, function (cell) {
      cell.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.forEach(function (row) { body.appendChild(row); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      header.tabIndex = 0;
      header.title = "Sort by this column";
      header.addEventListener("click", function () { sortTable(table, index, header); });
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortTable(table, index, header);
        }
      });
    });
  });
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    var count = input.parentNode.querySelector(".count");
    function apply() {
      var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var shown = 0, rows = table.tBodies[0].rows;
      Array.prototype.forEach.call(rows, function (row) {
        var text = row.textContent.toLowerCase();
        var keep = words.every(function (word) { return text.indexOf(word) !== -1; });
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      if (count) { count.textContent = shown + " of " + rows.length + " rows"; }
    }
    input.addEventListener("input", apply);
    apply();
  });
})();
"""
