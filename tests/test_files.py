"""``files.write_if_changed``: written when the text differs, left alone (mtime kept) when not."""

from __future__ import annotations

import os

import pytest

from roundup_kb.files import write_if_changed

OLD = 1_000_000_000  # an mtime long past: a rewrite would change it


def _aged(path):
    os.utime(path, ns=(OLD, OLD))
    return path


def test_writes_a_new_file_and_its_directories(tmp_path):
    path = tmp_path / "a" / "b" / "entries.json"
    assert write_if_changed(path, "[]\n") is True
    assert path.read_bytes() == b"[]\n"
    assert [p.name for p in path.parent.iterdir()] == ["entries.json"]  # no temporary left


def test_the_same_text_is_not_written_again(tmp_path):
    path = tmp_path / "feed.atom"
    write_if_changed(path, "<feed>é</feed>\n")
    _aged(path)
    assert write_if_changed(path, "<feed>é</feed>\n") is False
    assert path.stat().st_mtime_ns == OLD


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("abc", "abd"),  # same size, other bytes
        ("ab", "é"),  # same size in bytes, fewer characters
        ("é", "e"),  # same number of characters, fewer bytes
        ("short", "longer text"),
        ("text", ""),
    ],
)
def test_other_text_is_written(tmp_path, before, after):
    path = tmp_path / "out.txt"
    path.write_text(before, encoding="utf-8")
    _aged(path)
    assert write_if_changed(path, after) is True
    assert path.read_bytes() == after.encode("utf-8")
    assert path.stat().st_mtime_ns != OLD


def test_newlines_are_written_as_given(tmp_path):
    path = tmp_path / "out.bib"
    write_if_changed(path, "a\r\nb\n")
    assert path.read_bytes() == b"a\r\nb\n"
    assert write_if_changed(path, "a\nb\n") is True
    assert path.read_bytes() == b"a\nb\n"


def test_a_blob_store_keeps_what_is_kept_and_is_rewritten_once_mostly_unused(tmp_path):
    """The rule both the pre-scan and the environment's stores follow (``keep``)."""
    from roundup_kb.files import BlobStore, Place

    store = BlobStore(tmp_path / "s.blobs")
    token, places = store.keep(None, {}, {"a": b"a" * 100, "b": b"b" * 100})
    assert token == store.token() and {store.read(p) for p in places.values()} == {
        b"a" * 100,
        b"b" * 100,
    }
    # kept blobs stay where they are; new ones go at the end, under the same token
    size = store.size()
    again, moved = store.keep(token, {"a": places["a"]}, {"b": b"c" * 100})
    assert again == token and moved["a"] == places["a"] and store.size() == size + 100
    assert store.read(moved["b"]) == b"c" * 100 and isinstance(moved["b"], Place)
    # more than half of the file unused: written again, under a new token
    third, last = store.keep(again, {"a": moved["a"]}, {"b": b"d" * 10})
    assert third != again and store.size() == BlobStore.TOKEN_SIZE + 110
    assert store.read(last["a"]) == b"a" * 100 and store.read(last["b"]) == b"d" * 10
    # nothing kept: nothing in the file is worth keeping either
    fourth, only = store.keep(third, {}, {"z": b"z"})
    assert fourth != third and store.size() == BlobStore.TOKEN_SIZE + 1
    assert store.read(only["z"]) == b"z"


def test_kept_by_page_is_saved_only_by_the_process_that_loaded_it(tmp_path, monkeypatch):
    from roundup_kb import files

    kept = files.KeptByPage(tmp_path / "kept.pickle", ("v", 1))
    kept.of_page("issues/0001", "d1")["a"] = "made"
    kept.made = 1
    monkeypatch.setattr(kept, "_home", kept._home + 1)  # as in a forked writer
    kept.save(["issues/0001"])
    assert not (tmp_path / "kept.pickle").exists()
    monkeypatch.undo()
    kept.save(["issues/0001"])
    assert kept.made == 0
    assert files.KeptByPage(tmp_path / "kept.pickle", ("v", 1)).pages == {
        "issues/0001": ("d1", {"a": "made"})
    }
    assert files.KeptByPage(tmp_path / "kept.pickle", ("v", 2)).pages == {}
