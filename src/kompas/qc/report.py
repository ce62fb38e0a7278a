"""Text, JSON and CSV output of QC results (no computation here)."""

from __future__ import annotations

import csv
import json
import os

from ..satsys import SYSTEM_NAMES
from .metrics import EMPTY_COLUMNS

__all__ = ["summary_line", "summary_lines", "text_report", "write_json", "write_csv"]


def _f(x, fmt="{:.2f}", none="-"):
    return none if x is None else fmt.format(x)


def summary_line(path: str, row: dict) -> str:
    """teqc-like one line: file, system, span, interval, sats, #expt #have %, MP RMS, obs/slip, jumps."""
    mps = " ".join(f"{k}={v:.2f}" for k, v in row["mp_rms_m"].items() if v is not None) or "-"
    return (
        f"SUM {os.path.basename(path) or '-'} {row['system']} {row['first']} {_f(row['hours'])}h "
        f"{_f(row['interval_s'], '{:g}')}s sats={row['sats']} expt={_f(row['expt'], '{}')} "
        f"have={row['have']} pct={_f(row['pct'], '{:.1f}')} o/slps={_f(row['obs_per_slip'], '{:.0f}')} "
        f"<4sats={row['epochs_lt4']} jumps={row['clock_jumps']} MP[m] {mps}"
    )


def summary_lines(result) -> list[str]:
    return [summary_line(result.path, r) for r in result.tables["summary"]]


def summary_notes(result) -> list[str]:
    """``note G: ...`` for each system whose summary row has a note (the text report and the page)."""
    return [f"note {r['system']}: {r['note']}" for r in result.tables["summary"] if r.get("note")]


def _table(rows: list, cols: list[str], title: str) -> list[str]:
    if not rows:
        return [title, "  (none)", ""]
    width = {c: max(len(c), *(len(_cell(r.get(c))) for r in rows)) for c in cols}
    out = [title, "  " + "  ".join(c.rjust(width[c]) for c in cols)]
    out += ["  " + "  ".join(_cell(r.get(c)).rjust(width[c]) for c in cols) for r in rows]
    return [*out, ""]


def _cell(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:.6g}"
    return str(v)


TABLES = (
    ("header", ("item", "value", "status", "note"), "Header checks"),
    (
        "completeness",
        ("system", "signal", "sats", "expt", "have", "pct", "cn0_mean_dbhz", "note"),
        "Completeness and mean C/N0 per signal (above the mask)",
    ),
    (
        "multipath",
        ("system", "signal", "partner_band", "n", "rms_m"),
        "Code multipath MP per signal and partner band (RMS, level removed per arc)",
    ),
    (
        "slips",
        ("system", "band", "obs", "slips", "lli", "gf", "mw", "gaps", "slips_per_1000", "obs_per_slip"),
        "Cycle slips per band (above the mask)",
    ),
    ("clock_jumps", ("time", "size_s", "kind", "millisecond", "n_sats"), "Receiver clock jumps"),
    ("gaps", ("from", "to", "missing_epochs", "duration_s"), "Data gaps"),
    ("few_sats", ("system", "name", "epochs"), "Epochs with fewer than 4 satellites"),
)
"""The report's tables in order: key, columns, title (the text report and the HTML page show the same)."""


def report_tables(result):
    """``(rows, columns, title)`` of every table of :data:`TABLES`; ``few_sats`` is drawn from the summary."""
    t = result.tables
    few = [
        {"system": r["system"], "name": SYSTEM_NAMES[r["system"]], "epochs": r["epochs_lt4"]}
        for r in t["summary"]
    ]
    return [(few if key == "few_sats" else t[key], list(cols), title) for key, cols, title in TABLES]


def text_report(result) -> str:
    """The full text report."""
    lines = [f"kompas qc: {result.path}", ""]
    lines += ["Summary (one line per system)", *("  " + s for s in summary_lines(result))]
    lines += ["  " + n for n in summary_notes(result)] + [""]
    for rows, cols, title in report_tables(result):
        lines += _table(rows, cols, title)
    return "\n".join(lines)


def write_json(results, path) -> None:
    """All tables of one or many results as one JSON document, to a file path or an open text stream."""
    doc = {"files": [{"path": r.path, "tables": r.tables} for r in results]}
    if hasattr(path, "write"):
        json.dump(doc, path, indent=1, allow_nan=False)
        path.write("\n")
        return
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, allow_nan=False)


def write_csv(results, folder) -> list[str]:
    """One CSV per table, rows of every file with a ``file`` column; returns the paths written."""
    os.makedirs(folder, exist_ok=True)
    names = list(results[0].tables) if results else []
    written = []
    for name in names:
        rows = [{"file": os.path.basename(r.path), **_flat(row)} for r in results for row in r.tables[name]]
        cols = list(dict.fromkeys(k for row in rows for k in row)) or ["file", *EMPTY_COLUMNS.get(name, ())]
        path = os.path.join(folder, f"{name}.csv")
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
        written.append(path)
    return written


def _flat(row: dict) -> dict:
    out = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update({f"{k}.{kk}": vv for kk, vv in v.items()})
        else:
            out[k] = v
    return out
