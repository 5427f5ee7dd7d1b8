"""The data files at the end of a build: made beside the page writers."""

from __future__ import annotations

import json
import os
import shutil
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


def _record_where_written(site, monkeypatch) -> list[int]:
    """The pids of the processes that make the data files from now on (this one's in the
    list; a child's in ``site.root / "made-by"``)."""
    pids: list[int] = []
    real = datafiles.write_all

    def write_all(app, exception=None):
        real(app, exception)
        pids.append(os.getpid())
        (site.root / "made-by").write_text(str(os.getpid()))

    monkeypatch.setattr(datafiles, "write_all", write_all)
    return pids


@pytest.mark.sphinx
def test_the_data_files_are_made_in_another_process_when_there_is_another_cpu(
    make_site, monkeypatch
):
    site = make_site({1: ISSUE})
    pids = _record_where_written(site, monkeypatch)
    monkeypatch.setattr(datafiles, "usable_cpus", lambda: 1)
    _, warnings = site.build(fresh=True)
    assert warnings == "" and pids == [os.getpid()]  # one CPU: at the end, in this process
    alone = _outputs(site.out)
    manifest = json.loads((site.doctrees / MANIFEST).read_text())
    assert {"entries.json", "feeds", "browse.json"} <= set(manifest)
    assert len(alone) > 8 and "cite/1.json" in alone and "feeds/issues.atom" in alone

    monkeypatch.setattr(datafiles, "usable_cpus", lambda: 2)
    for parallel in (0, 2):  # serial and -j 2 alike
        pids.clear()
        (site.root / "made-by").unlink()
        shutil.rmtree(site.out)
        _, warnings = site.build(fresh=True, parallel=parallel)
        assert warnings == ""
        assert pids == []  # not called in this process ...
        assert int((site.root / "made-by").read_text()) != os.getpid()  # ... but in a child
        assert _outputs(site.out) == alone
        # the child's records and this process's (browse.json) are all in the manifest
        assert json.loads((site.doctrees / MANIFEST).read_text()) == manifest

    # a build that read nothing checks them here: no process started for that
    site.build()
    assert pids == [os.getpid()]
    assert _outputs(site.out) == alone
    # nor one that changed nothing entries.json shows (commentary past the summary) ...
    long_tail = " And more." * 30  # past the summary's 200 characters
    edited = ISSUE.replace("More about the one-on-one.", "More about the one-on-one." + long_tail)
    site.write_issue(1, edited)
    site.build()  # a new summary
    pids.clear()
    edited = edited.replace(long_tail, long_tail + " Still.")
    site.write_issue(1, edited)
    site.build()
    assert pids == [os.getpid()]
    # ... while a new title is made beside the writers
    site.write_issue(1, edited.replace("Remote one-on-ones that work", "Remote one-on-ones"))
    site.build()
    assert pids == [os.getpid()]
    assert int((site.root / "made-by").read_text()) != os.getpid()
    assert "Remote one-on-ones" in (site.out / "entries.json").read_text(encoding="utf-8")


@pytest.mark.sphinx
@pytest.mark.parametrize("parallel", [0, 2])
def test_an_error_in_the_data_files_process_fails_the_build(make_site, monkeypatch, parallel):
    site = make_site({1: ISSUE})

    def broken(app, exception):
        raise RuntimeError("the feeds broke")

    monkeypatch.setattr(datafiles, "WRITERS", (broken,))
    monkeypatch.setattr(datafiles, "usable_cpus", lambda: 2)
    with pytest.raises(Exception, match="the feeds broke"):
        site.build(fresh=True, parallel=parallel)


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
