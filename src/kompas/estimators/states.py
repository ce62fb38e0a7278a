"""Named state blocks: each unknown of an estimator belongs to a block that owns its columns.

A :class:`StateLayout` is an ordered list of blocks (position, velocity, a receiver clock per system,
inter-system biases, zenith troposphere, slant ionosphere per satellite, ambiguities per satellite and
band...). Estimators and recipes address columns by name (``layout["clk:C"]``), never by hand-counted
offsets, and a Kalman filter grows or shrinks the layout as satellites rise and set.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Block", "StateLayout"]


@dataclass(frozen=True)
class Block:
    """One named block of unknowns.

    Attributes
    ----------
    name : str
        ``"pos"``, ``"clk:C"``, ``"amb:C19:2"``...
    size : int
        Number of columns.
    unit : str
        Unit of the unknowns (``"m"``, ``"cyc"``).
    """

    name: str
    size: int = 1
    unit: str = "m"


class StateLayout:
    """Ordered named blocks and the column range each owns.

    Parameters
    ----------
    blocks : iterable of Block
    """

    __slots__ = ("_blocks", "_by_name", "_size", "_start")

    def __init__(self, blocks=()):
        self._blocks: tuple[Block, ...] = ()
        self._start: dict[str, int] = {}
        self._by_name: dict[str, Block] = {}
        self._size = 0
        self._extend(blocks)

    def _extend(self, blocks) -> None:
        # one tuple rebuild per call: layouts of a few hundred blocks stay cheap to grow
        new = []
        for block in blocks:
            if block.name in self._start:
                raise ValueError(f"state block {block.name!r} is already in the layout")
            if block.size < 1:
                raise ValueError(f"state block {block.name!r} needs at least one column")
            self._start[block.name] = self._size
            self._by_name[block.name] = block
            self._size += block.size
            new.append(block)
        self._blocks = (*self._blocks, *new)

    @property
    def size(self) -> int:
        """Number of columns."""
        return self._size

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self._blocks)

    @property
    def blocks(self) -> tuple[Block, ...]:
        return self._blocks

    def __contains__(self, name: str) -> bool:
        return name in self._start

    def __len__(self) -> int:
        return len(self._blocks)

    def __getitem__(self, name: str) -> slice:
        """Column slice of a block."""
        try:
            i = self._start[name]
        except KeyError:
            raise KeyError(f"no state block {name!r}; blocks: {', '.join(self.names)}") from None
        return slice(i, i + self._block(name).size)

    def _block(self, name: str) -> Block:
        return self._by_name[name]

    def index(self, name: str) -> int:
        """First column of a block."""
        return self[name].start

    def with_blocks(self, blocks) -> StateLayout:
        """A new layout with ``blocks`` appended (the columns of existing blocks keep their place)."""
        out = StateLayout(self._blocks)
        out._extend(blocks)
        return out

    def without(self, names) -> tuple[StateLayout, list[int]]:
        """A new layout without the named blocks, and the old column indices it keeps (in order)."""
        drop = set(names)
        keep = [b for b in self._blocks if b.name not in drop]
        cols = [c for b in keep for c in range(self[b.name].start, self[b.name].stop)]
        return StateLayout(keep), cols

    def matching(self, prefix: str) -> tuple[str, ...]:
        """Names of the blocks starting with ``prefix`` (``"clk:"``), in layout order."""
        return tuple(n for n in self.names if n.startswith(prefix))

    def __repr__(self) -> str:
        return "StateLayout(" + ", ".join(f"{b.name}[{b.size}]" for b in self._blocks) + ")"
