"""HTML report of a precise point positioning run: settings, results and the convergence figure.

One self-contained file (figures embedded as PNG data), written from a :class:`~kompas.solution.Solution`
and, when given, the reference position: east/north/up error against time (the convergence figure), the
final error and the RMS of the last 30 minutes; without a reference, the deviation from the last
solution. Estimated zenith delays and the satellites used are drawn too.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from .stats import error_stats
from .time import GTime

__all__ = ["ppp_report", "convergence_summary", "period_words"]

LAST_S = 1800.0
"""Kinematic statistics cover the last 30 minutes of the run (the issue's measure)."""


def backward_filter(sol) -> bool:
    """Whether the solution is a backward filter's (``smoothing = "backward"`` in its record's config)."""
    cfg = getattr(getattr(sol, "record", None), "config", None)
    return getattr(getattr(cfg, "filter", None), "smoothing", "forward") == "backward"


def convergence_summary(sol, truth) -> dict:
    """Final error, last-30-minute RMS and convergence time (first epoch after which every epoch up to the
    last solved one is solved with horizontal and vertical errors below 10 cm), m and s. Taken in the order
    the filter ran: for a backward filter the "final" epoch is the first in time, the "last 30 minutes"
    are the first, and the convergence runs from the end (``backward`` in the result says so)."""
    enu, t = sol.enu_error_m(truth), np.asarray(sol.time_ns)
    backward = backward_filter(sol)
    if backward:  # reversed, with negated times so that they increase
        enu, t = enu[::-1], -t[::-1]
    ok = np.isfinite(enu).all(axis=1)
    out = {"n": int(ok.sum())}
    if not ok.any():
        return out
    out["backward"] = backward
    last = int(np.flatnonzero(ok)[-1])
    h = np.hypot(enu[:, 0], enu[:, 1])
    out.update(final_enu_m=enu[last], final_h_m=float(h[last]), final_v_m=float(enu[last, 2]))
    tail = ok & (t >= t[last] - int(LAST_S * 1e9))
    st = error_stats(enu[tail])
    out.update(last30_h_rms_m=st.h_rms, last30_v_rms_m=st.v_rms)
    # a run shorter than LAST_S: the statistics cover all of it, and say so (tail_words)
    out["tail_s"] = min(LAST_S, float((t[last] - t[np.flatnonzero(ok)[0]]) * 1e-9))
    # up to the last solved epoch, where the final error is taken: an unsolved epoch before it breaks the
    # convergence, the unsolved ones after it (products that end early) do not
    bad = (~ok | (h > 0.1) | (np.abs(enu[:, 2]) > 0.1))[: last + 1]
    idx = np.flatnonzero(bad)
    first_good = 0 if idx.size == 0 else idx[-1] + 1
    out["converged_after_s"] = float((t[first_good] - t[0]) * 1e-9) if first_good <= last else float("nan")
    return out


def tail_words(c: dict) -> str:
    """What the tail statistics of a :func:`convergence_summary` ``c`` cover: "last 30 min" (or "first"
    for a backward filter), or the whole run when it is shorter."""
    tail_s = c.get("tail_s", LAST_S)
    if tail_s < LAST_S:
        return f"whole {tail_s / 60:.1f}-min run"
    return f"{period_words(c)[1]} {LAST_S / 60:.0f} min"


def period_words(c: dict) -> tuple[str, str, str]:
    """Words for the epoch and span a :func:`convergence_summary` ``c`` measures: ("final", "last", "end"),
    or for a backward filter, which ends at the first epoch, ("first-epoch", "first", "start")."""
    return ("first-epoch", "first", "start") if c["backward"] else ("final", "last", "end")


def _png(draw) -> str:
    buf = io.BytesIO()
    draw(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figures(sol, truth, title):
    from . import plots

    figs = []
    ok = sol.ok
    if truth is not None:
        enu = sol.enu_error_m(truth)
        caption = "East, north and up error against the reference position"
    else:
        ref = sol.pos_m[np.flatnonzero(ok)[-1]]
        enu = sol.enu_error_m(ref)
        caption = "East, north and up deviation from the last solution (no reference position given)"
    figs.append((_png(lambda b: plots.enu_convergence(b, sol.time_ns, {"PPP": enu}, title)), caption))
    if "ztd_m" in sol.states:
        figs.append(
            (
                _png(
                    lambda b: plots.time_series(
                        b,
                        sol.time_ns,
                        {"ZTD": sol.states["ztd_m"]},
                        "zenith total delay (m)",
                        "Estimated troposphere",
                    )
                ),
                "Zenith total delay: a priori hydrostatic and wet delays plus the estimated wet correction",
            )
        )
    nsat = {k: v for k, v in sol.nsat_by_system.items() if np.any(v)}
    figs.append(
        (
            _png(lambda b: plots.satellites_and_dop(b, sol.time_ns, nsat, {}, "Satellites used")),
            "Satellites used per system",
        )
    )
    return figs


def _rows(sol, truth) -> list[tuple[str, str]]:
    rec = sol.record
    ok = sol.ok
    rows = [
        ("program / mode", f"{rec.program} / {rec.mode}"),
        ("systems / observables", f"{rec.systems} / {rec.iono}"),
        ("epochs solved", f"{int(ok.sum())} of {len(sol)}"),
    ]
    if ok.any():
        last = int(np.flatnonzero(ok)[-1])
        x, y, z = sol.pos_m[last]
        sd = np.sqrt(np.diag(sol.cov_enu_m2()[last]))
        rows.append(("last position (ECEF, m)", f"{x:.4f} {y:.4f} {z:.4f}"))
        rows.append(("its sigma E/N/U (cm)", " ".join(f"{100 * s:.1f}" for s in sd)))
        rows.append(
            (
                "first / last epoch (GPST)",
                f"{GTime(int(sol.time_ns[0])).isoformat()} / {GTime(int(sol.time_ns[last])).isoformat()}",
            )
        )
    if truth is not None and ok.any():
        c = convergence_summary(sol, truth)
        e, n, u = c["final_enu_m"] * 100
        final, _, _ = period_words(c)
        rows += [
            (f"{final} error E/N/U (cm)", f"{e:+.1f} {n:+.1f} {u:+.1f}"),
            (f"{final} error H / V (cm)", f"{100 * c['final_h_m']:.1f} / {100 * abs(c['final_v_m']):.1f}"),
            (
                f"{tail_words(c)} RMS H / V (cm)",
                f"{100 * c['last30_h_rms_m']:.1f} / {100 * c['last30_v_rms_m']:.1f}",
            ),
            ("converged (H and V < 10 cm) after", f"{c['converged_after_s'] / 60:.1f} min"),
        ]
    return rows


def ppp_report(path, sol, truth=None, title: str = "kompas ppp") -> None:
    """Write the HTML report of a PPP solution (module docstring).

    Parameters
    ----------
    path : str or os.PathLike
    sol : Solution
    truth : array_like, shape (3,), optional
        Reference ECEF position, m.
    title : str
    """
    truth = None if truth is None else np.asarray(truth, dtype=float)
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in _rows(sol, truth)
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in sol.record.notes)
    figs = "".join(
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(c)}">'
        f"<figcaption>{html.escape(c)}</figcaption></figure>"
        for data, c in (_figures(sol, truth, title) if sol.ok.any() else [])
    )
    text = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 8px}}
table{{border-collapse:collapse;margin:8px 0 16px}}
td,th{{border:1px solid #999;padding:4px 8px;text-align:left}}
figure{{margin:16px 0}}img{{width:100%;height:auto}}</style></head><body>
<h1>{html.escape(title)}</h1>
<table>{rows}</table>
<h2>Figures</h2>{figs}
<h2>Processing notes</h2><ul>{notes}</ul>
</body></html>
"""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
