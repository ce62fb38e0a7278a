"""Observation quality control: completeness, multipath, C/N0, slips, clock jumps, gaps, header checks.

``run_qc(obs, nav) -> QcResult`` computes every metric (:mod:`kompas.qc.metrics` defines them);
:mod:`kompas.qc.report` writes the one-line summaries, the text report, JSON and CSV;
:mod:`kompas.qc.html` the HTML report with its figures. The slip and clock-jump detectors live in
:mod:`kompas.preprocess` (shared with RTK and PPP).
"""

from .multipath import (
    WB2015_BANDS,
    WB2015_IGSO_M,
    WB2015_MEO_M,
    MpSeries,
    bds2_code_correction,
    code_multipath,
)
from .run import QcConfig, QcResult, bands_present, run_qc

__all__ = [
    "QcConfig",
    "QcResult",
    "run_qc",
    "bands_present",
    "MpSeries",
    "code_multipath",
    "bds2_code_correction",
    "WB2015_BANDS",
    "WB2015_IGSO_M",
    "WB2015_MEO_M",
]
