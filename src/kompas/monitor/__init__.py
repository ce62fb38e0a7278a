"""Service monitoring: availability, DOP and signal-in-space range errors against precise products."""
