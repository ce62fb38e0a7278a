"""Pure vectorised models: geometry, attitude, atmosphere, tides, antenna corrections."""
