"""The self-contained HTML report of ``kompas monitor``: figures embedded as data URIs, tables inline.

The page needs no network and no file beside it. Every figure is an ``<img class="figure">`` with an
``id``, every table a ``<table class="data">`` with an ``id``; a small script marks, once the page has
loaded, how many figures decoded (``data-figures-ok`` on ``<body>``), which is what the headless-browser
test reads.
"""

from __future__ import annotations

import base64
import html
import math
import os
from dataclasses import dataclass, field

__all__ = ["Section", "render_report"]

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1250px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
table.data{border-collapse:collapse;font-size:0.78em;margin:0.6em 0}
table.data td,table.data th{border:1px solid #ccc;padding:2px 6px;text-align:right}
table.data th{background:#f0f0f0}table.data td:first-child{text-align:left}
img.figure{max-width:100%;display:block;margin:0.6em 0}.note{color:#555;font-size:0.9em}
details{margin:0.4em 0}
"""

_SCRIPT = """
window.addEventListener('load',function(){var n=0;document.querySelectorAll('img.figure').forEach(
function(i){if(i.complete&&i.naturalWidth>0){n++;i.setAttribute('data-ok','1');}});
document.body.setAttribute('data-figures-ok',String(n));
document.body.setAttribute('data-tables',String(document.querySelectorAll('table.data').length));});
"""


@dataclass
class Section:
    """One part of the report: title, paragraphs (plain text), figures (PNG paths) and tables.

    ``tables`` holds ``(id, caption, rows, columns)``; ``columns`` None means the keys of the rows;
    ``collapsed`` tables sit in a closed ``<details>`` element (long per-satellite lists).
    """

    title: str
    text: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    collapsed: bool = False


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 1e4 else f"{v:.4g}"
    return html.escape(str(v))


def _table(tid: str, caption: str, rows: list, columns) -> str:
    cols = list(columns) if columns else list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "\n".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in cols) + "</tr>" for r in rows)
    count = f"{len(rows)} row" + ("" if len(rows) == 1 else "s")
    return (
        f'<table class="data" id="{html.escape(tid)}"><caption>{html.escape(caption)} ({count})'
        f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _figure(path) -> str:
    with open(path, "rb") as fh:
        data = base64.b64encode(fh.read()).decode("ascii")
    fid = "fig-" + os.path.splitext(os.path.basename(path))[0]
    fid = html.escape(fid)
    return f'<img class="figure" id="{fid}" alt="{fid}" src="data:image/png;base64,{data}">'


def render_report(path, title: str, intro: list, sections: list) -> None:
    """Write the HTML report to ``path``."""
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{_STYLE}</style><script>{_SCRIPT}</script></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    parts += [f"<p class='note'>{html.escape(p)}</p>" for p in intro]
    for sec in sections:
        parts.append(f"<h2>{html.escape(sec.title)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in sec.text]
        parts += [_figure(f) for f in sec.figures]
        for tid, caption, rows, cols in sec.tables:
            t = _table(tid, caption, rows, cols)
            parts.append(
                f"<details><summary>{html.escape(caption)}</summary>{t}</details>" if sec.collapsed else t
            )
    parts.append("</body></html>")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(parts))
