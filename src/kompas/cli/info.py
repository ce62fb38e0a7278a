"""kompas info FILE: what a GNSS file holds."""

from __future__ import annotations

import sys

import numpy as np

from ..errors import KompasError
from ..io.detect import detect, read
from ..satsys import SYSTEM_LETTERS, SYSTEM_NAMES, sat_id, sat_system
from ..time import GTime


def register(sub) -> None:
    p = sub.add_parser("info", help="show what a GNSS file holds", description=__doc__)
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="RINEX obs/nav/met, SP3, clock, ANTEX, Bias-SINEX, IONEX"
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse files that need a repair of their fixed-width fields or hold malformed records (a file "
        "cut short is still read to its last complete record, with a warning)",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    failed = 0
    for k, path in enumerate(args.files):
        if k:
            print()
        try:
            lines = _summary(path, getattr(args, "strict", False))
        except (KompasError, OSError) as exc:
            if len(args.files) == 1:
                raise  # one line and exit 2 from the command's handler
            what = f"{exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)
            text = what if what.startswith(str(path)) else f"{path}: {what}"
            print(f"kompas info: error: {text}", file=sys.stderr)
            failed += 1
            continue
        for line in lines:
            print(line)
    return 2 if failed else 0  # every file is shown; a file that could not be is a user error


def _summary(path, strict: bool) -> list[str]:
    kind = detect(path)
    data = read(path, strict=strict)
    return [f"file     {path}", *SUMMARIES.get(kind, _generic)(data)]


def _span(t0: int, t1: int) -> str:
    return f"{GTime(int(t0)).isoformat()} .. {GTime(int(t1)).isoformat()} GPST ({(t1 - t0) / 3.6e12:.2f} h)"


def _sats_by_system(sats) -> list[str]:
    sats = np.unique(np.asarray(sats))
    out = []
    for i, letter in enumerate(SYSTEM_LETTERS, start=1):
        s = sats[sat_system(sats) == i]
        if s.size:
            ids = sat_id(s)
            out.append(f"  {letter} {SYSTEM_NAMES[letter]:8s} {s.size:3d} sats  {ids[0]}..{ids[-1]}")
    return out


def _obs(obs) -> list[str]:
    h = obs.header
    lines = [
        f"type     RINEX {h.version:.2f} observation ({'mixed' if h.system == 'M' else h.system})",
        f"station  {h.marker_name} {h.marker_number}".rstrip(),
        f"receiver {h.receiver_type} {h.receiver_version}".rstrip(),
        f"antenna  {h.antenna_type}  (delta H/E/N {h.antenna_delta_hen_m[0]:.4f} "
        f"{h.antenna_delta_hen_m[1]:.4f} {h.antenna_delta_hen_m[2]:.4f} m)",
        "approx   " + (" ".join(f"{v:.4f}" for v in h.approx_position_m) + " m (header, not a reference)"),
    ]
    if obs.n_epochs:
        lines.append(f"span     {_span(obs.epoch_time_ns[0], obs.epoch_time_ns[-1])}")
    iv = obs.interval_s()
    lines.append(
        f"epochs   {obs.n_epochs}  interval {iv if iv is not None else '-'} s "
        f"(header {h.interval_s if h.interval_s else '-'})  time system {h.time_system}"
    )
    lines.append(f"rows     {len(obs)}  events {len(obs.events)}")
    codes = obs.codes_by_system()
    for line in _sats_by_system(obs.sat):
        letter = line.split()[0]
        lines.append(line)
        lines.append("      " + " ".join(codes.get(letter, [])))
    if len(h.glonass_channels):
        lines.append(
            "GLONASS channels "
            + " ".join(f"R{s:02d}:{k:+d}" for s, k in h.glonass_channels.as_dict().items())
        )
    return lines


def _nav(nav) -> list[str]:
    h = nav.header
    lines = [f"type     RINEX {h.version:g} navigation ({h.file_type} {h.system})".rstrip()]
    times = [
        t for tb in (nav.kepler, nav.glonass, nav.sbas) if len(tb) for t in (tb.toc_ns.min(), tb.toc_ns.max())
    ]
    if times:
        lines.append(f"span     {_span(min(times), max(times))} (clock epochs)")
    if h.iono_corr:
        lines.append("iono     " + " ".join(sorted(h.iono_corr)))
    if h.leap_seconds is not None:
        n = h.leap_seconds.current
        # RINEX 3.05 nav header LEAP SECONDS: system GPS (blank) or BDS, whose count is BDT - UTC
        bds = h.leap_seconds.system.strip().upper() == "BDS"
        lines.append(
            f"leap     {n} s (BDT - UTC; GPST - UTC {n + 14} s)" if bds else f"leap     {n} s (GPST - UTC)"
        )
    sats = []
    for name, tb in (("Kepler", nav.kepler), ("GLONASS", nav.glonass), ("SBAS", nav.sbas)):
        if len(tb):
            sats.append(tb.sat)
            kinds = ""
            if hasattr(tb, "msg"):
                m, c = np.unique(tb.msg, return_counts=True)
                kinds = "  (" + ", ".join(f"{a} {b}" for a, b in zip(m, c, strict=True)) + ")"
            lines.append(f"records  {name} {len(tb)}{kinds}")
    for name in ("sto", "eop", "ion"):
        if len(getattr(nav, name)):
            lines.append(f"frames   {name.upper()} {len(getattr(nav, name))}")
    if sats:
        lines += _sats_by_system(np.concatenate(sats))
    return lines


def _sp3(sp3) -> list[str]:
    content = "positions and velocities" if sp3.vel_mps is not None else "positions"
    lines = [
        f"type     SP3-{sp3.version} ({content})",
        f"product  {sp3.agency} {sp3.orbit_type} frame {sp3.frame} time system {sp3.time_system}",
    ]
    if len(sp3.time_ns):
        lines.append(f"span     {_span(sp3.time_ns[0], sp3.time_ns[-1])}")
    lines.append(f"epochs   {len(sp3.time_ns)}  interval {sp3.interval_s:g} s")
    return lines + _sats_by_system(sp3.sats)


def _clk(clk) -> list[str]:
    lines = [f"type     RINEX clock {clk.version:.2f}  {clk.analysis_center or clk.agency}".rstrip()]
    if len(clk):
        lines.append(f"span     {_span(clk.time_ns.min(), clk.time_ns.max())}")
    kinds, counts = np.unique(clk.kind, return_counts=True)
    lines.append("records  " + "  ".join(f"{k} {c}" for k, c in zip(kinds, counts, strict=True)))
    lines.append(
        f"stations {len(np.unique(clk.name[clk.sat < 0]))} with clocks, {len(clk.station_coords)} coordinates"
    )
    return lines + _sats_by_system(clk.sat[clk.sat > 0])


def _antex(atx) -> list[str]:
    sats = [a for a in atx.antennas if a.is_satellite]
    rcv = [a for a in atx.antennas if not a.is_satellite]
    lines = [
        f"type     ANTEX {atx.version} ({atx.pcv_type} PCV)",
        f"antennas {len(sats)} satellite, {len(rcv)} receiver",
    ]
    lines += [f"  {a.type:20s} {a.serial:20s} {' '.join(sorted(a.freqs))}" for a in rcv[:20]]
    return lines + _sats_by_system(np.array([a.sat for a in sats], dtype=np.int16))


def _bias(bia) -> list[str]:
    kinds, counts = np.unique(bia.kind, return_counts=True)
    lines = [
        f"type     Bias-SINEX {bia.version} ({bia.bias_mode}) by {bia.agency}, time system {bia.time_system}",
        "records  " + "  ".join(f"{k} {c}" for k, c in zip(kinds, counts, strict=True)),
        f"stations {len(np.unique(bia.station[bia.station != '']))}",
    ]
    return lines + _sats_by_system(bia.sat[bia.sat > 0])


def _ionex(inx) -> list[str]:
    lines = [f"type     IONEX {inx.version}  mapping {inx.mapping_function}"]
    if len(inx.time_ns):
        lines.append(f"span     {_span(inx.time_ns[0], inx.time_ns[-1])}")
    lines.append(
        f"maps     {inx.tec_tecu.shape[0]} of {inx.tec_tecu.shape[1]} x {inx.tec_tecu.shape[2]} (lat x lon)"
        f"{' with RMS' if inx.rms_tecu is not None else ''}"
    )
    return lines


def _met(met) -> list[str]:
    from ..tables.met import MET_CODES

    h = met.header
    lines = [
        f"type     RINEX {h.version:g} meteorological",
        f"station  {h.marker_name} {h.marker_number}".rstrip(),
    ]
    if len(met):
        lines.append(f"span     {_span(met.time_ns.min(), met.time_ns.max())}")
    epochs = np.unique(met.time_ns)
    lines.append(f"epochs   {epochs.size}  values {len(met)}")
    for code in h.codes:
        quantity, unit = MET_CODES.get(code, (code, ""))
        v = met.value[met.code == code]
        rng = f"{v.min():g} .. {v.max():g} {unit}".rstrip() if v.size else "no value"
        s = h.sensors.get(code)
        sensor = f"  sensor {s.model} {s.type}".rstrip() if s is not None and (s.model or s.type) else ""
        if s is not None and np.isfinite(s.height_m):
            sensor += f"  H {s.height_m:.1f} m"
        lines.append(f"  {code} {quantity:24s} {rng}{sensor}")
    return lines


def _generic(data) -> list[str]:
    lines = [f"type     {type(data).__name__}"]
    for attr in ("version", "time_system", "agency"):
        if hasattr(data, attr):
            lines.append(f"{attr:8s} {getattr(data, attr)}")
    return lines


SUMMARIES = {
    "obs": _obs,
    "nav": _nav,
    "sp3": _sp3,
    "clk": _clk,
    "antex": _antex,
    "bias": _bias,
    "ionex": _ionex,
    "met": _met,
}
