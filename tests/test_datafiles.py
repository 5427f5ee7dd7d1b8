"""The data files at the end of a build: made beside the page writers with ``-j N``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import issue_page
from roundup_kb.sphinxext import datafiles
from roundup_kb.sphinxext.outputs import MANIFEST, Manifest

ISSUE = issue_page(
    1,
    "2021-03-05",
    """
    ## Managing Teams

    [Remote one-on-ones that work](https://example.org/remote-1on1) - Jennifer D. Nahrgang, HBR

    More about the one-on-one.

    ## Research Software Development

    [Low-code contributions through GitHub](https://labs.quansight.org/blog/low-code) - Isabela Presedo-Floyd, Quansight Labs

    Getting non-coders to contribute.
    """,
)


def test_manifest_saves_merge_what_each_holder_recorded(tmp_path):
    """A holder's save keeps what another holder saved since it read the file."""
    app = SimpleNamespace(doctreedir=tmp_path)
    first = Manifest(app)
    first.record("old", "0")
    first.save()
    one, two = Manifest(app), Manifest(app)
    one.record("browse.json", "a")
    two.record("entries.json", "b")
    two.drop("old")
    one.save()
    two.save()
    assert json.loads((tmp_path / MANIFEST).read_text()) == {
        "browse.json": "a",
        "entries.json": "b",
    }
    assert two.data == {"browse.json": "a", "entries.json": "b"}


def _outputs(out: Path) -> dict[str, str]:
    """Every data file of the site, by path."""
    found = {}
    for pattern in ("entries.*", "browse.json", "cite/**/*", "feeds/**/*"):
        for path in out.glob(pattern):
            if path.is_file():
                found[path.relative_to(out).as_posix()] = path.read_text(encoding="utf-8")
    return found


@pytest.mark.sphinx
def test_parallel_builds_make_the_data_files_in_another_process(make_site, monkeypatch):
    site = make_site({1: ISSUE})
    pids: list[int] = []
    real = datafiles.write_all

    def write_all(app, exception=None):
        real(app, exception)
        pids.append(os.getpid())
        (site.root / "made-by").write_text(str(os.getpid()))

    monkeypatch.setattr(datafiles, "write_all", write_all)
    _, warnings = site.build(fresh=True)
    assert warnings == "" and pids == [os.getpid()]  # serial: at the end, in this process
    serial = _outputs(site.out)
    manifest = json.loads((site.doctrees / MANIFEST).read_text())
    assert {"entries.json", "feeds", "browse.json"} <= set(manifest)
    assert len(serial) > 8 and "cite/1.json" in serial and "feeds/issues.atom" in serial

    _, warnings = site.build(fresh=True, parallel=2)
    assert warnings == ""
    assert pids == [os.getpid()]  # not called in this process ...
    assert int((site.root / "made-by").read_text()) != os.getpid()  # ... but in a child
    assert _outputs(site.out) == serial
    # the child's records and this process's (browse.json) are all in the manifest
    assert json.loads((site.doctrees / MANIFEST).read_text()) == manifest


@pytest.mark.sphinx
def test_an_error_in_the_data_files_fails_a_parallel_build(make_site, monkeypatch):
    site = make_site({1: ISSUE})

    def broken(app, exception):
        raise RuntimeError("the feeds broke")

    monkeypatch.setattr(datafiles, "WRITERS", (broken,))
    with pytest.raises(Exception, match="the feeds broke"):
        site.build(fresh=True, parallel=2)


@pytest.mark.sphinx
def test_exports_are_made_again_only_when_what_they_show_changed(make_site):
    """``entries.json`` and ``browse.json`` show an entry's listed fields, line and
    summary: commentary edited past the summary leaves them alone."""
    site = make_site({1: ISSUE})
    site.build()
    marker = "\n"  # a file left as it is keeps this; one made again loses it
    for name in ("entries.json", "browse.json"):
        path = site.out / name
        path.write_text(path.read_text(encoding="utf-8") + marker, encoding="utf-8")

    def tampered() -> set[str]:
        return {
            name
            for name in ("entries.json", "browse.json")
            if (site.out / name).read_text(encoding="utf-8").endswith("\n" + marker)
        }

    long_tail = " And more." * 30  # past the summary's 200 characters
    site.write_issue(1, ISSUE.replace("More about the one-on-one.", "More about it." + long_tail))
    site.build()
    # the summary changed ("More about it."): both are made again; browse.json shows it
    assert tampered() == set()
    browse = json.loads((site.out / "browse.json").read_text(encoding="utf-8"))
    assert any(e["excerpt"].startswith("More about it.") for e in browse["entries"])
    for name in ("entries.json", "browse.json"):
        path = site.out / name
        path.write_text(path.read_text(encoding="utf-8") + marker, encoding="utf-8")

    site.write_issue(
        1, ISSUE.replace("More about the one-on-one.", "More about it." + long_tail + " Still.")
    )
    site.build()
    assert tampered() == {"entries.json", "browse.json"}  # nothing they show changed

    site.write_issue(1, ISSUE.replace("Remote one-on-ones that work", "Remote one-on-ones"))
    site.build()
    assert tampered() == set()
    titles = [e["title"] for e in json.loads((site.out / "entries.json").read_text())["entries"]]
    assert "Remote one-on-ones" in titles
