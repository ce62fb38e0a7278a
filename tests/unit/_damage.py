"""Damaged copies of a valid file for the readers' property tests: bytes overwritten, then truncated."""

from hypothesis import strategies as st


def damage_args(valid: bytes) -> dict:
    """Hypothesis strategies for :func:`damaged`: a cut position, up to 4 positions and a byte."""
    return {
        "cut": st.integers(0, len(valid)),
        "pos": st.lists(st.integers(0, len(valid) - 1), max_size=4),
        "byte": st.binary(min_size=1, max_size=1),
    }


def damaged(valid: bytes, cut: int, pos: list[int], byte: bytes) -> bytes:
    """``valid`` with ``byte`` written at every position of ``pos``, cut at ``cut`` (never empty)."""
    data = bytearray(valid)
    for p in pos:
        data[p] = byte[0]
    return bytes(data[:cut]) or b"x"
