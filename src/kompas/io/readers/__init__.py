"""File readers: formats in, tables out (no physics)."""
