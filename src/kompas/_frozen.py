"""A read-only dict: the tables of a validated configuration (:mod:`kompas.config`)."""

from __future__ import annotations

__all__ = ["FrozenDict"]


class FrozenDict(dict):
    """A ``dict`` that refuses changes once built.

    A configuration's tables (``system_factor``, ``priority``...) are checked when the configuration is
    built; a table that could change afterwards would bypass those checks and, shared by every copy made
    with ``replace``, change them all. It is still a ``dict`` (equality, ``json``, TOML, ``isinstance``);
    it pickles and copies as itself (Dask tasks), and stays unhashable as a ``dict`` is.
    """

    __slots__ = ()

    def _refuse(self, *args, **kwargs):
        raise TypeError(
            "a configuration's table is read-only once checked; make a changed configuration with "
            ".replace(name={...}) (or change a copy: dict(table))"
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self):
        return (type(self), (dict(self),))
