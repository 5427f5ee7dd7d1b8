"""roundup_kb.kept: answers of pure one-string functions kept from build to build."""

from __future__ import annotations

import os
import pickle
import sys
import unicodedata
from pathlib import Path

import pytest

from conftest import issue_page
from roundup_kb import kept, names, permalinks

CALLS: list[str] = []


@kept.kept(maxsize=4)
def shout(text: str) -> str:
    """Upper case, counted."""
    CALLS.append(text)
    return text.upper()


@pytest.fixture
def fresh(monkeypatch):
    """A function that makes this process look like a new one: empty tables and caches,
    nothing loaded.  The module's state is put back afterwards."""
    for name in ("loaded_from", "home", "added"):
        monkeypatch.setattr(kept._State, name, getattr(kept._State, name))

    def new_process() -> None:
        for table in kept.tables().values():
            table.clear()
        for func in (shout, names.slugify, names.clean_text, permalinks.person_letter):
            func.cache_clear()
        kept._State.loaded_from, kept._State.home, kept._State.added = None, 0, 0
        CALLS.clear()

    new_process()
    return new_process


def test_a_kept_function_answers_as_the_function_and_keeps_its_name(fresh):
    assert shout("abc") == "ABC"
    assert shout("abc") == "ABC"
    assert CALLS == ["abc"]
    assert shout.__name__ == "shout" and shout.__doc__ == "Upper case, counted."
    assert kept.tables()[f"{__name__}.shout"] == {"abc": "ABC"}


def test_answers_saved_are_not_worked_out_again_in_the_next_process(fresh, tmp_path):
    path = tmp_path / "answers.pickle"
    kept.load(path)  # nothing there yet
    assert [shout(w) for w in ("a", "b")] == ["A", "B"]
    assert kept.save(path)
    fresh()
    kept.load(path)
    assert [shout(w) for w in ("a", "b", "c")] == ["A", "B", "C"]
    assert CALLS == ["c"]  # a and b came from the file


def test_answers_worked_out_before_the_load_stay(fresh, tmp_path):
    path = tmp_path / "answers.pickle"
    kept.load(path)
    shout("a")
    kept.save(path)
    fresh()
    shout("z")
    kept.load(path)
    assert kept.tables()[f"{__name__}.shout"] == {"a": "A", "z": "Z"}


def test_answers_of_other_code_are_not_used(fresh, tmp_path, monkeypatch):
    path = tmp_path / "answers.pickle"
    kept.load(path)
    shout("a")
    kept.save(path)
    fresh()
    stamp = kept.stamp()
    monkeypatch.setattr(kept._State, "stamp", (*stamp[:3], (("names.py", 1, 2),)))
    kept.load(path)
    shout("a")
    assert CALLS == ["a"]


def test_the_stamp_holds_every_module_of_the_package():
    version, python, unicode, sources = kept.stamp()
    assert (version, python, unicode) == (kept.VERSION, sys.version, unicodedata.unidata_version)
    files = {where for where, _, _ in sources}
    assert {"names.py", "permalinks.py", "urls.py", os.path.join("sphinxext", "domain.py")} <= files
    assert "__pycache__" not in str(files)


def test_nothing_is_saved_without_a_load_new_answers_or_from_a_fork(fresh, tmp_path):
    path = tmp_path / "answers.pickle"
    shout("a")
    assert not kept.save(path)  # not loaded: the file would lose what it holds
    kept.load(path)
    assert not kept.save(path)  # loaded, nothing new
    shout("b")
    kept._State.home = os.getpid() + 1  # as in a forked writer
    assert not kept.save(path)
    assert not path.exists()


def test_a_full_table_starts_again(fresh, monkeypatch):
    monkeypatch.setattr(kept, "LIMIT", 3)
    for word in "abcd":
        shout(word)
    assert kept.tables()[f"{__name__}.shout"] == {"d": "D"}


@pytest.mark.sphinx
def test_a_build_keeps_the_name_functions_answers_in_the_doctree_directory(make_site, fresh):
    body = """
    ## Managing Teams

    [One](https://example.org/one) - Jörg Müller, Example Blog

    Text.
    """
    site = make_site({1: issue_page(1, "2021-01-01", body)})
    site.build()
    path = site.doctrees / "roundup-kept-answers.pickle"
    stored_stamp, answers = pickle.loads(path.read_bytes())
    assert stored_stamp == kept.stamp()
    assert answers["roundup_kb.names.slugify"]["Jörg Müller"] == "jorg-muller"
    assert answers["roundup_kb.permalinks.person_letter"]["Jörg Müller"] == "m"
    assert all(isinstance(key, str) for table in answers.values() for key in table)


def test_the_modules_name_functions_are_kept():
    kept_names = set(kept.tables())
    for func in (names.clean_text, names.name_key, names.slugify, permalinks.person_letter):
        assert f"{func.__module__}.{func.__qualname__}" in kept_names
    assert Path(kept.__file__).name == "kept.py"
