"""Satellite states evaluated at a time, behind one protocol: ``.state(sats, t_gpst_ns) -> SatState``."""
