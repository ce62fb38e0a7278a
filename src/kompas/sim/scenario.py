"""One call per scenario: constellations -> navigation data -> observations of one or two receivers.

:func:`simulate` gives one receiver; :func:`simulate_baseline` a base and a rover that share the
satellites, the navigation data and the atmosphere models (troposphere and ionosphere are smooth
fields evaluated at each receiver, so they are identical at zero baseline and differ more with
distance), and differ in everything that belongs to a receiver: noise, multipath, ambiguities,
events, clock, inter-system biases and GLONASS inter-frequency biases (by default the rover is
"another make": :func:`rover_error_model`).

Either function can write the observation file(s) in blocks of epochs while simulating
(``obs_path``): the whole span is never held in memory, and the file is byte for byte the one
``write_obs`` writes from the table the same call returns without ``obs_path``. With the nominal
constellations no value depends on how the span is cut into blocks (noise per 256-epoch chunk, events
planned for the whole span, GLONASS truth integrated per row); with a real navigation file the
broadcast Kepler solver iterates per call, so other block sizes can move values by ~1e-8 m.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError, KompasWarning, caller_stacklevel
from ..frames import ecef_to_enu, enu_to_ecef
from ..tables.nav import NavData
from ..tables.obs import ObsTable
from ..time import GTime
from .constellations import nominal_elements
from .errormodel import ErrorModel
from .events import EventTable
from .navdata import make_nav
from .observations import Receiver, ReceiverSim, concat_tables, epoch_tags, make_layout

__all__ = ["SimResult", "simulate", "BaselineResult", "simulate_baseline", "rover_error_model", "nav_span"]


@dataclass(frozen=True)
class SimResult:
    """Output of :func:`simulate` (or one receiver of :func:`simulate_baseline`).

    Attributes
    ----------
    obs : ObsTable or None
        The observations; None when they were written to ``obs_path`` instead.
    nav : NavData
        Broadcast navigation data.
    truth : SimTruth or BroadcastTruth
        True satellite orbits and clocks.
    receiver_ecef_m : numpy.ndarray, shape (3,)
        True antenna position, ECEF m.
    events : EventTable
        Slips, clock jumps, gaps and outages that acted on the observations.
    errors : ErrorModel
    receiver : Receiver
    record : dict
        Receiver truth for truth.json (clock model, ambiguities, multipath parameters).
    settings : dict
        Start (GPST ns), hours, interval (s), systems, seed, elevation mask (deg).
    sim : ReceiverSim
        The receiver simulation (true receiver clock at any epoch, layout).
    stats : dict
        ``epochs``, ``observations`` (rows) and ``satellites`` (ids) that were produced.
    """

    obs: ObsTable | None
    nav: NavData
    truth: object
    receiver_ecef_m: np.ndarray
    events: EventTable
    errors: ErrorModel
    receiver: Receiver
    record: dict
    settings: dict
    sim: ReceiverSim
    stats: dict


@dataclass(frozen=True)
class BaselineResult:
    """Output of :func:`simulate_baseline`: the two receivers and the true baseline (rover - base)."""

    base: SimResult
    rover: SimResult
    baseline_ecef_m: np.ndarray
    baseline_enu_m: np.ndarray


def _errors(errors) -> ErrorModel:
    if isinstance(errors, ErrorModel):
        return errors
    if errors not in ("none", "default"):
        raise ConfigError(f"errors must be 'none', 'default' or an ErrorModel, not {errors!r}")
    return ErrorModel.none() if errors == "none" else ErrorModel.default()


def nav_span(nav: NavData) -> tuple[int, int]:
    """First and last reference time (toe of Kepler records, toc of GLONASS records) of a file, GPST ns."""
    t = np.concatenate([np.asarray(nav.kepler.toe_ns, np.int64), np.asarray(nav.glonass.toc_ns, np.int64)])
    if t.size == 0:
        raise ConfigError("the navigation file has no GPS, Galileo, BeiDou, QZSS or GLONASS record")
    return int(t.min()), int(t.max())


def _truth_and_nav(start_ns, hours, systems, seed, nav, sis_error_m):
    if nav is None:
        return make_nav(
            nominal_elements(systems, start_ns), start_ns, hours, sis_error_m=sis_error_m, seed=seed
        )
    from .realnav import BroadcastTruth

    a, b = nav_span(nav)
    if not a <= int(start_ns) <= b:
        raise ConfigError(
            f"the navigation file covers {GTime(a).isoformat('GPST')} .. {GTime(b).isoformat('GPST')} GPST "
            f"(its records' reference times); the start {GTime(int(start_ns)).isoformat('GPST')} is outside"
        )
    return nav, BroadcastTruth(nav, start_ns, int(hours * 3600e9))


def _run(rsim: ReceiverSim, obs_path, block_epochs, program, _now):
    """Produce every block: (table, stats), or write the blocks to ``obs_path`` and return (None, stats)."""
    n_ep, n_rows, sats = 0, 0, set()

    def counted(blocks):
        nonlocal n_ep, n_rows
        for b in blocks:
            n_ep, n_rows = n_ep + b.n_epochs, n_rows + len(b)
            sats.update(np.unique(b.sat).tolist())
            yield b

    if obs_path is None:
        obs = concat_tables(list(counted(rsim.blocks(block_epochs))))
    else:
        from ..io.writers.rinex_obs_stream import ObsStreamWriter

        kept = rsim.tags[rsim.kept]
        if kept.size == 0:
            raise ConfigError("every epoch is inside an outage: nothing to write")
        hdr, obs = rsim.header, None
        with ObsStreamWriter(
            obs_path, hdr, hdr.obs_types, kept[0], kept[-1], program=program, _now=_now
        ) as w:
            for block in counted(rsim.blocks(block_epochs)):
                w.write(block)
    from ..satsys import sat_id

    ids = [str(x) for x in sat_id(np.array(sorted(sats), dtype=np.int16))] if sats else []
    return obs, {"epochs": n_ep, "observations": n_rows, "satellites": ids}


def _settings(start_ns, hours, interval_s, systems, seed, elmask_deg, nav, sis_error_m):
    return {
        "start_gpst_ns": int(start_ns),
        "start": GTime(int(start_ns)).isoformat("GPST"),
        "hours": float(hours),
        "interval_s": float(interval_s),
        "systems": str(systems),
        "seed": int(seed),
        "elevation_mask_deg": float(elmask_deg),
        "sis_error_m": float(sis_error_m),
        "constellation": "nominal (kompas.sim.constellations)" if nav is None else "real navigation file",
    }


def _result(rsim, run, nav, truth, settings) -> SimResult:
    rec = rsim.receiver
    obs, stats = run
    events = rsim.events()
    asked = int(np.sum(rsim.state.plan.slip_cause == "user"))
    acted = int(np.sum((events.kind == "slip") & (events.cause == "user")))
    if acted < asked:  # the table holds the slips that acted: say so instead of losing them quietly
        warnings.warn(
            f"{rec.marker_name}: {asked - acted} of the {asked} slips asked for act on no observation "
            "(satellite not in view or under the elevation mask at that epoch): not in the event table",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )
    return SimResult(
        obs, nav, truth, rec.xyz, events, rsim.errors, rec, rsim.truth_record(), settings, rsim, stats
    )


def simulate(
    receiver_ecef,
    start_ns: int,
    hours: float = 2.0,
    interval_s: float = 30.0,
    systems: str = "CRGE",
    errors: str | ErrorModel = "default",
    seed: int = 0,
    nav: NavData | None = None,
    sis_error_m: float = 0.0,
    *,
    events=(),
    elmask_deg: float = 5.0,
    receiver: Receiver | None = None,
    obs_path=None,
    block_epochs: int | None = None,
    program: str = "kompas.sim",
    _now=None,
) -> SimResult:
    """Simulate the nominal (or a real file's) constellations seen from a static receiver.

    Parameters
    ----------
    receiver_ecef : array_like, shape (3,)
        True receiver position, ECEF m.
    start_ns : int
        First epoch, GPST ns (also the epoch of the nominal elements).
    hours, interval_s : float
        Span (h) and epoch spacing (s).
    systems : str
        Letters among ``"CRGE"``.
    errors : {"none", "default"} or ErrorModel
        The error terms and events (:class:`~kompas.sim.errormodel.ErrorModel`).
    seed : int
    nav : NavData, optional
        Simulate the real constellation of this navigation file instead of the nominal one: its
        broadcast orbits and clocks are the truth (:class:`~kompas.sim.realnav.BroadcastTruth`) and it
        is also the navigation data returned (``sis_error_m`` does not apply).
    sis_error_m : float
        Signal-in-space error RMS per component, m (:func:`make_nav`).
    events : iterable of Event
        Events at given epochs (:class:`~kompas.sim.events.Event`), besides the error model's.
    elmask_deg : float
        Elevation mask, degrees.
    receiver : Receiver, optional
        Marker name, clock, random stream (its position is ``receiver_ecef``).
    obs_path : str or os.PathLike, optional
        Write the observations there block by block (bounded memory) instead of returning them.
    block_epochs : int, optional
        Epochs per block (default: about 1.5 million values per block).
    program : str
        RINEX ``PGM`` field of the written file.

    Raises
    ------
    ConfigError
        For unknown systems or error-model names, a start outside a real navigation file, bad events.
    """
    errors = _errors(errors)
    xyz = tuple(np.asarray(receiver_ecef, float).ravel())
    rcv = Receiver(xyz) if receiver is None else dataclasses.replace(receiver, ecef_m=xyz)
    nav_data, truth = _truth_and_nav(start_ns, hours, systems, seed, nav, sis_error_m)
    tags = epoch_tags(start_ns, hours, interval_s)
    rsim = ReceiverSim(
        truth, nav_data, make_layout(truth, systems), rcv, tags, errors, seed, elmask_deg, events, interval_s
    )
    obs = _run(rsim, obs_path, block_epochs, program, _now)
    settings = _settings(start_ns, hours, interval_s, systems, seed, elmask_deg, nav, sis_error_m)
    return _result(rsim, obs, nav_data, truth, settings)


def rover_error_model(errors: ErrorModel) -> ErrorModel:
    """The rover's error model by default: the base's, with the receiver biases of another make.

    GLONASS inter-frequency biases of -0.15 m (code) and -0.003 m (phase) per channel k instead of
    the base's, and inter-system biases G 0, R -12, E 1.5, C 4 m: receivers of different makes differ
    by decimetres per channel in code and millimetres in phase (Wanninger 2012), so GLONASS
    double-difference ambiguities are not integers unless the difference is calibrated.
    """
    return dataclasses.replace(
        errors,
        ifb_m_per_channel=-0.15,
        ifb_phase_m_per_channel=-0.003,
        isb_m={"G": 0.0, "R": -12.0, "E": 1.5, "C": 4.0},
    )


def _rover_position(base_xyz, rover_ecef, offset_enu_m, offset_ecef_m):
    given = [x is not None for x in (rover_ecef, offset_enu_m, offset_ecef_m)]
    if sum(given) != 1:
        raise ConfigError("give exactly one of rover_ecef, offset_enu_m, offset_ecef_m")
    if rover_ecef is not None:
        return np.asarray(rover_ecef, float).reshape(3)
    if offset_ecef_m is not None:
        return base_xyz + np.asarray(offset_ecef_m, float).reshape(3)
    return np.asarray(enu_to_ecef(np.asarray(offset_enu_m, float).reshape(3), base_xyz), float).reshape(3)


def simulate_baseline(
    base_ecef,
    start_ns: int,
    *,
    rover_ecef=None,
    offset_enu_m=None,
    offset_ecef_m=None,
    hours: float = 1.0,
    interval_s: float = 1.0,
    systems: str = "CRGE",
    errors: str | ErrorModel = "default",
    rover_errors: ErrorModel | None = None,
    seed: int = 0,
    nav: NavData | None = None,
    sis_error_m: float = 0.0,
    events=(),
    rover_events=(),
    elmask_deg: float = 5.0,
    obs_paths=None,
    block_epochs: int | None = None,
    program: str = "kompas.sim",
    _now=None,
) -> BaselineResult:
    """Simulate a base and a rover observing the same satellites (a baseline for RTK).

    Parameters
    ----------
    base_ecef : array_like, shape (3,)
        True base antenna position, ECEF m.
    start_ns : int
        First epoch, GPST ns.
    rover_ecef, offset_enu_m, offset_ecef_m : array_like, shape (3,)
        Exactly one: the rover position (ECEF m), or its offset from the base in the base's local
        east/north/up (m), or as an ECEF vector (m).
    hours, interval_s, systems, seed, nav, sis_error_m, elmask_deg, block_epochs, program
        As :func:`simulate` (``program`` for both files of ``obs_paths``); both receivers use the same epochs.
    errors : {"none", "default"} or ErrorModel
        The base's error model.
    rover_errors : ErrorModel, optional
        The rover's; default :func:`rover_error_model` of ``errors``.
    events, rover_events : iterable of Event
        Events at given epochs for the base and the rover.
    obs_paths : (path, path), optional
        Write the base and rover observation files block by block instead of returning tables.

    Notes
    -----
    Receiver streams: base 0, rover 1. Each has its own integer ambiguities (uniform in
    [-200000, 200000) per satellite and signal, stream ``[seed, 1, receiver]``), noise, multipath and
    events; clocks: base 1e-4 s + 2e-9 s/s, rover -3.5e-4 s - 1.1e-9 s/s. Double differences of
    the phase ambiguities are integers for CDMA signals; for GLONASS they include the difference of
    the two receivers' phase inter-frequency biases times the channel difference.
    """
    base_err = _errors(errors)
    rover_err = rover_errors if rover_errors is not None else rover_error_model(base_err)
    base_xyz = np.asarray(base_ecef, float).reshape(3)
    rover_xyz = _rover_position(base_xyz, rover_ecef, offset_enu_m, offset_ecef_m)
    nav_data, truth = _truth_and_nav(start_ns, hours, systems, seed, nav, sis_error_m)
    tags = epoch_tags(start_ns, hours, interval_s)
    layout = make_layout(truth, systems)
    settings = _settings(start_ns, hours, interval_s, systems, seed, elmask_deg, nav, sis_error_m)
    paths = obs_paths if obs_paths is not None else (None, None)
    out = []
    rcvs = (
        Receiver(tuple(base_xyz), marker_name="BASE", receiver_type="KOMPAS SIM A", stream=0),
        Receiver(
            tuple(rover_xyz),
            marker_name="ROVR",
            receiver_type="KOMPAS SIM B",
            clock_s=-3.5e-4,
            drift_sps=-1.1e-9,
            stream=1,
        ),
    )
    for rcv, err, ev, path in zip(rcvs, (base_err, rover_err), (events, rover_events), paths, strict=True):
        rsim = ReceiverSim(truth, nav_data, layout, rcv, tags, err, seed, elmask_deg, ev, interval_s)
        obs = _run(rsim, path, block_epochs, program, _now)
        out.append(_result(rsim, obs, nav_data, truth, settings))
    d = rover_xyz - base_xyz
    return BaselineResult(out[0], out[1], d, np.asarray(ecef_to_enu(rover_xyz, base_xyz), float).reshape(3))
