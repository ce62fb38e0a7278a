"""The processing record of a PPP run (:func:`kompas.ppp`)."""

from __future__ import annotations

import dataclasses
import warnings

from .errors import KompasWarning, caller_stacklevel
from .ppp_config import gradients_on
from .ppp_model import ephemeris_used
from .satsys import sat_letter
from .solution import ProcessingRecord, unsolved_counts


def record(sel, rows, main, ctx, reason, reference: str) -> ProcessingRecord:
    """The processing record of a run: systems and signals used, models, notes (each also warned at the
    line that called :func:`kompas.ppp`), the configuration and every input file given."""
    cfg = ctx.cfg
    notes = list(dict.fromkeys(ctx.notes + list(rows.notes)))
    for n in notes:  # at the line that called kompas.ppp
        warnings.warn(n, KompasWarning, stacklevel=caller_stacklevel())
    signals = {}
    used = main.n_used > 0
    letters = sat_letter(rows.sat)
    for x in cfg.systems:
        m = used & (letters == x)
        if m.any():
            signals[x] = {"+".join(str(b) for b in ctx.bands[x]): int(m.sum())}
    sw = ctx.switches
    models = {f.name: getattr(sw, f.name) for f in dataclasses.fields(sw)}
    notes += ctx.product_notes
    span = (sel.epoch_time_ns[-1] - sel.epoch_time_ns[0]) * 1e-9 if sel.n_epochs else 0.0
    models["gradients"] = gradients_on(cfg, span)
    notes.append("models: " + ", ".join(f"{k}={v}" for k, v in models.items()))
    return ProcessingRecord(
        program="kompas ppp",
        mode=f"ppp-{cfg.mode}",
        systems="".join(signals) or cfg.systems,  # the systems used (the .pos header's "navi sys")
        elmask_deg=cfg.elmask_deg,
        ephemeris=ephemeris_used(ctx.inputs.precise is not None, rows.source, used, letters),
        iono="if" if cfg.observables == "if" else "est",  # RTKLIB's names: Iono-Free LC, Estimate TEC
        tropo="estg" if models["gradients"] else "est",  # the ZTD is estimated on the a priori (models:)
        signals=signals,
        clock_reference=reference,
        unsolved=unsolved_counts(reason),
        raim_excluded=int(main.rejected.sum()),
        notes=tuple(notes),
        masked=ctx.masked,
        config=cfg,
        inputs=tuple(dict.fromkeys(str(p) for p in (*sel.files, *ctx.given))),
    )


def product_paths(*products) -> tuple:
    """The file paths that the products given (single objects or lists) carry, in order."""
    flat = [x for p in products for x in (p if isinstance(p, list | tuple) else [p])]
    return tuple(str(x.path) for x in flat if getattr(x, "path", None))
