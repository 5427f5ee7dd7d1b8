"""Sphinx's copy of the static files: made when something it reads or wrote changed,
skipped otherwise."""

from __future__ import annotations

import functools

import pytest
from sphinx.builders.html import StandaloneHTMLBuilder

from conftest import issue_page
from roundup_kb.sphinxext import staticfiles

PAGE = issue_page(1, "2021-01-08", "## Random\n\n[A](https://example.org/a) - B, C\n")


class Copies(list):
    """Sphinx's copies of the static files, one builder each; after the copies
    numbered in ``warn_after`` (from 1) a warning is logged, as Sphinx logs a file it
    could not copy."""

    def __init__(self) -> None:
        super().__init__()
        self.warn_after: set[int] = set()


@pytest.fixture
def copies(monkeypatch) -> Copies:
    """Sphinx's copy of the static files, counted."""
    from sphinx.util import logging

    calls = Copies()
    original = StandaloneHTMLBuilder.copy_static_files

    @functools.wraps(original)
    def copy_static_files(self):
        calls.append(self)
        original(self)
        if len(calls) in calls.warn_after:
            logging.getLogger(__name__).warning("cannot copy static file (a test)")

    monkeypatch.setattr(StandaloneHTMLBuilder, "copy_static_files", copy_static_files)
    return calls


@pytest.mark.sphinx
def test_the_copy_is_made_when_a_source_or_an_output_changed_and_skipped_otherwise(
    make_site, copies
):
    site = make_site({1: PAGE})
    extra = site.root / "extra"
    extra.mkdir()
    (extra / "custom.css").write_text("p { color: red; }\n")
    settings = {"html_static_path": ["extra"]}
    static = site.out / "_static"

    site.build(confoverrides=settings)
    assert len(copies) == 1
    assert (static / "custom.css").read_text() == "p { color: red; }\n"
    assert (site.doctrees / staticfiles.CACHE_NAME).is_file()
    before = {path: path.read_bytes() for path in static.rglob("*") if path.is_file()}

    # nothing changed: no copy, and _static holds the same files with the same bytes
    site.build(confoverrides=settings)
    assert len(copies) == 1
    assert {path: path.read_bytes() for path in static.rglob("*") if path.is_file()} == before

    # a static source edited: copied again
    (extra / "custom.css").write_text("p { color: blue; }\n")
    site.build(confoverrides=settings)
    assert len(copies) == 2
    assert (static / "custom.css").read_text() == "p { color: blue; }\n"

    # a copied file deleted from the output: copied again, and it is back
    (static / "basic.css").unlink()
    site.build(confoverrides=settings)
    assert len(copies) == 3
    assert (static / "basic.css").is_file()

    # a file added to the output: copied again (what Sphinx does with it is its own)
    (static / "stray.txt").write_text("x")
    site.build(confoverrides=settings)
    assert len(copies) == 4

    # a setting the templated files read: copied again
    site.build(confoverrides={**settings, "html_search_language": "de"})
    assert len(copies) == 5
    site.build(confoverrides={**settings, "html_search_language": "de"})
    assert len(copies) == 5


@pytest.mark.sphinx
def test_a_copy_that_warned_is_made_again_in_the_next_build(make_site, copies):
    """Sphinx warns about a file it cannot copy and goes on: nothing is kept then."""
    copies.warn_after.add(1)
    site = make_site({1: PAGE})
    _, warnings = site.build()
    assert "cannot copy static file (a test)" in warnings
    assert not (site.doctrees / staticfiles.CACHE_NAME).exists()
    site.build()
    assert len(copies) == 2  # copied again, without a warning this time: kept
    site.build()
    assert len(copies) == 2


def test_a_failed_build_keeps_nothing(tmp_path):
    class Builder:
        outdir = tmp_path / "html"

    class App:
        doctreedir = tmp_path / "doctrees"
        builder = Builder()

    App.builder._roundup_static_key = ("key",)  # this build's key: the copy was made
    App.doctreedir.mkdir()
    kept = App.doctreedir / staticfiles.CACHE_NAME
    kept.write_bytes(b"from an earlier build")
    staticfiles.keep_state(App(), RuntimeError("failed"))
    assert not kept.exists()
    assert not hasattr(App.builder, "_roundup_static_key")


def test_file_states_name_each_file_with_its_size_and_time(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.js").write_text("22")
    (tmp_path / "one.css").write_text("1")
    states = staticfiles.file_states(tmp_path)
    assert [(path, size) for path, size, _ in states] == [("one.css", 1), ("b/two.js", 2)]
    assert staticfiles.file_states(tmp_path / "one.css")[0][:2] == ("one.css", 1)
    assert staticfiles.file_states(tmp_path / "missing") == ()


def test_plain_values_repr_the_same_in_every_run():
    class Sheet:
        def __init__(self, name):
            self.name = name

        def __str__(self):
            return f"Sheet({self.name})"

    class Bag:
        def __init__(self):
            self.items = {"b": 1, "a": {2, 1}}

    value = {"css": [Sheet("a.css")], "bag": Bag(), "fn": len, "n": None, "s": frozenset("ba")}
    data = staticfiles.plain(value)
    assert "0x" not in repr(data)
    kind = f"{__name__}.test_plain_values_repr_the_same_in_every_run.<locals>"
    assert data == (
        ("css", ((f"{kind}.Sheet", "Sheet(a.css)"),)),
        ("bag", (f"{kind}.Bag", (("items", (("b", 1), ("a", ("1", "2")))),))),
        ("fn", "builtins.builtin_function_or_method"),
        ("n", None),
        ("s", ("'a'", "'b'")),
    )
