"""kompas.batch.copies: which observation files are copies of another of the same station and day."""

from __future__ import annotations

import gzip

import pytest

from kompas.batch import copies
from kompas.batch.copies import HEAD_BYTES, find_copies
from kompas.io.names import parse_name


def _file(folder, name, content: bytes):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    return parse_name(path)


def _names(pairs):
    return [(c.path.split("/")[-2] + "/" + c.path.split("/")[-1], o.path.split("/")[-2]) for c, o in pairs]


def test_two_files_of_one_station_day_with_one_content_are_a_copy_and_its_original(tmp_path):
    body = b"header and epochs\n" * 100
    a = _file(tmp_path / "a", "WTZR00DEU_R_20201770000_01D_30S_MO.rnx", body)
    b = _file(tmp_path / "b", "WTZR01DEU_R_20201770000_01D_30S_MO.rnx.gz", body)  # compressed: same content
    pairs = find_copies([b, a])
    assert [(c.path, o.path) for c, o in pairs] == [(b.path, a.path)]  # the first by path is the original


def test_copies_in_several_station_days_sorted_by_the_copy(tmp_path):
    """Every station-day's copies are kept (not only the last group's), in the copies' path order even
    where the originals' order is the other way round."""
    x, y = b"station X\n" * 50, b"station Y\n" * 50
    files = [
        _file(tmp_path / "a", "XXXX00AAA_R_20201770000_01D_30S_MO.rnx", x),
        _file(tmp_path / "z", "XXXX01AAA_R_20201770000_01D_30S_MO.rnx", x),
        _file(tmp_path / "b", "YYYY00AAA_R_20201780000_01D_30S_MO.rnx", y),
        _file(tmp_path / "c", "YYYY01AAA_R_20201780000_01D_30S_MO.rnx", y),
    ]
    got = _names(find_copies(files))
    assert got == [
        ("c/YYYY01AAA_R_20201780000_01D_30S_MO.rnx", "b"),
        ("z/XXXX01AAA_R_20201770000_01D_30S_MO.rnx", "a"),
    ]


def test_a_file_of_its_own_content_does_not_end_the_search(tmp_path):
    """A station-day whose first head is unique, then a pair: the pair is still found."""
    body = b"the shared content\n" * 50
    files = [
        _file(tmp_path / "a", "WTZR00DEU_R_20201770000_01D_30S_MO.rnx", b"another receiver\n" * 50),
        _file(tmp_path / "b", "WTZR01DEU_R_20201770000_01D_30S_MO.rnx", body),
        _file(tmp_path / "c", "WTZR02DEU_R_20201770000_01D_30S_MO.rnx", body),
    ]
    assert _names(find_copies(files)) == [("c/WTZR02DEU_R_20201770000_01D_30S_MO.rnx", "b")]


def test_a_file_whose_end_cannot_be_read_is_no_copy_and_the_rest_are_compared(tmp_path):
    """Equal starts, then a gzip file cut after its first HEAD_BYTES: its whole content has no digest, so
    it is nobody's copy (its unit reports the damage), and the two intact files after it are still
    compared."""
    body = bytes(range(256)) * (3 * HEAD_BYTES // 256)  # incompressible enough to cut after the head
    cut = tmp_path / "a" / "WTZR00DEU_R_20201770000_01D_30S_MO.rnx.gz"
    cut.parent.mkdir()
    whole = gzip.compress(body)
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    files = [
        parse_name(cut),
        _file(tmp_path / "b", "WTZR01DEU_R_20201770000_01D_30S_MO.rnx", body),
        _file(tmp_path / "c", "WTZR02DEU_R_20201770000_01D_30S_MO.rnx", body),
    ]
    assert copies._head(str(cut)) == copies._head(files[1].path)  # the same start...
    assert copies._whole(str(cut)) is None  # ...and no whole digest
    assert _names(find_copies(files)) == [("c/WTZR02DEU_R_20201770000_01D_30S_MO.rnx", "b")]


def test_a_station_day_of_one_file_is_not_read(tmp_path, monkeypatch):
    read = []
    monkeypatch.setattr(copies, "peek", lambda path, size: read.append(path) or b"x")
    files = [
        _file(tmp_path, "WTZR00DEU_R_20201770000_01D_30S_MO.rnx", b"x"),
        _file(tmp_path, "WTZR00DEU_R_20201780000_01D_30S_MO.rnx", b"x"),  # another day
    ]
    assert find_copies(files) == [] and read == []


@pytest.mark.parametrize("content", [b"", None])
def test_empty_and_unreadable_files_are_never_copies(tmp_path, content):
    a = _file(tmp_path / "a", "WTZR00DEU_R_20201770000_01D_30S_MO.rnx", b"")
    b = _file(tmp_path / "b", "WTZR01DEU_R_20201770000_01D_30S_MO.rnx", b"")
    if content is None:  # two paths that do not exist
        (tmp_path / "a" / "WTZR00DEU_R_20201770000_01D_30S_MO.rnx").unlink()
        (tmp_path / "b" / "WTZR01DEU_R_20201770000_01D_30S_MO.rnx").unlink()
    assert find_copies([a, b]) == []


def test_only_files_whose_first_head_bytes_agree_are_hashed_whole(tmp_path, monkeypatch):
    """The cost promised in the module's docstring: files differing anywhere in their first HEAD_BYTES
    (here after 10 000 equal bytes) are told apart without reading them whole."""
    hashed = []
    digest = copies.content_digest
    monkeypatch.setattr(copies, "content_digest", lambda path: hashed.append(path) or digest(path))
    start = b"a common header\n" * 625  # 10 000 bytes
    files = [
        _file(tmp_path / "a", "WTZR00DEU_R_20201770000_01D_30S_MO.rnx", start + b"receiver A\n" * 100),
        _file(tmp_path / "b", "WTZR01DEU_R_20201770000_01D_30S_MO.rnx", start + b"receiver B\n" * 100),
        _file(tmp_path / "c", "WTZR02DEU_R_20201770000_01D_30S_MO.rnx", b"another start\n" * 100),
    ]
    assert find_copies(files) == [] and hashed == []
