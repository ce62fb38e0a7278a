"""kompas.runner: the stream of observation blocks passed to the SPP recipe, and what is noted of it."""

import types

import numpy as np

from kompas.runner import _Seen


def _block(*t):
    t = np.asarray(t, dtype=np.int64)
    return types.SimpleNamespace(epoch_time_ns=t, n_epochs=t.size)


def test_the_stream_passes_unchanged_and_its_first_and_last_epochs_are_noted():
    blocks = [_block(10, 20), _block(), _block(30, 40, 50), _block(60)]
    seen = _Seen(iter(blocks))
    assert (seen.first_ns, seen.last_ns) == (None, None)  # nothing read yet
    assert list(seen) == blocks
    assert (seen.first_ns, seen.last_ns) == (10, 60)
    empty = _Seen(iter([_block()]))
    assert len(list(empty)) == 1 and (empty.first_ns, empty.last_ns) == (None, None)
