"""Fixed-width header fields of the text formats: a value longer than its field is an error, never cut."""

from __future__ import annotations

from ...errors import KompasError

__all__ = ["fit"]


def fit(text: str, width: int, what: str) -> str:
    """``text`` left-aligned in a field of ``width`` characters.

    Parameters
    ----------
    text : str
        (``str()`` of it.)
    width : int
        Characters of the field.
    what : str
        The format and field, for the message (``"SP3 agency"``).

    Raises
    ------
    KompasError
        ``text`` is longer than the field (a reader would get another value back).
    """
    text = str(text)
    if len(text) > width:
        raise KompasError(f"{what} {text!r} is longer than the {width} columns of its field")
    return f"{text:<{width}s}"
