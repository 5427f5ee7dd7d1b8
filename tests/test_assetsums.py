"""Asset checksums are looked up once a build and are the ones Sphinx computes."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest
import sphinx.builders.html as html_builders

import roundup_kb.sphinxext.assetsums as assetsums
from conftest import issue_page

pytestmark = pytest.mark.sphinx

BODY = """
## Managing Teams

[One-on-ones](https://example.org/one) - Ann Author, Venue

Why.
"""

#: an asset reference with its checksum in a page: (file under _static, checksum)
TAG = re.compile(r'(?:href|src)="(?:\.\./)*_static/([^"?]+)\?v=([0-9a-f]{8})"')


def _crc(path: Path) -> str:
    content = path.read_bytes().translate(None, b"\r")
    return f"{zlib.crc32(content):08x}"


def test_pages_carry_each_files_checksum_computed_once_per_build(make_site, monkeypatch):
    site = make_site({n: issue_page(n, f"2021-0{n}-01", BODY) for n in (1, 2, 3)})
    asked: list[str] = []
    sphinx_checksum = assetsums._compute

    def counting(outdir, filename):
        asked.append(str(filename))
        return sphinx_checksum(outdir, filename)

    monkeypatch.setattr(assetsums, "_compute", counting)
    site.build()
    assert html_builders._file_checksum is assetsums.file_checksum

    tags = 0
    for page in ("issues/0001.html", "issues/0002.html", "docs/index.html"):
        found = TAG.findall(site.html(page))
        assert len(found) > 5
        tags += len(found)
        for name, checksum in found:
            if name != "pygments.css":  # the theme rewrites it once the pages are written
                assert checksum == _crc(site.out / "_static" / name), name
    assert len(asked) == len(set(asked))  # each file once, however many pages name it
    assert tags > len(asked)

    asked.clear()
    site.write_issue(2, issue_page(2, "2021-02-01", BODY + "\nMore.\n"))
    site.build()  # a new build asks again (the memo lasts one build)
    assert asked and len(asked) == len(set(asked))


def test_the_memo_is_emptied_for_each_build_and_keyed_by_output_directory(tmp_path):
    assetsums._new_build(None)  # type: ignore[arg-type]
    one, two = tmp_path / "one", tmp_path / "two"
    for directory, text in ((one, "a"), (two, "b")):
        (directory / "_static").mkdir(parents=True)
        (directory / "_static" / "x.css").write_text(text)
    first = assetsums.file_checksum(one, "_static/x.css")
    assert first == _crc(one / "_static" / "x.css")
    assert assetsums.file_checksum(two, "_static/x.css") == _crc(two / "_static" / "x.css")
    assert {key[1] for key in assetsums._memo} == {"_static/x.css"} and len(assetsums._memo) == 2
    (one / "_static" / "x.css").write_text("changed")
    assert assetsums.file_checksum(one, "_static/x.css") == first  # remembered in a build
    assetsums._new_build(None)  # type: ignore[arg-type]
    assert assetsums._memo == {}


def test_install_leaves_someone_elses_replacement_alone(monkeypatch):
    def theirs(outdir, filename):
        return "mine"

    monkeypatch.setattr(html_builders, "_file_checksum", theirs)
    assert assetsums.install() is False
    assert html_builders._file_checksum is theirs

    monkeypatch.setattr(html_builders, "_file_checksum", assetsums._SPHINX_FILE_CHECKSUM)
    assert assetsums.install() is True
    assert html_builders._file_checksum is assetsums.file_checksum
    assert assetsums.install() is True  # once is enough
