"""The whole shared corpus imported into a scratch copy of the project builds under -W."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import corpus_dir
from roundup_kb.cli import main as cli

pytestmark = [pytest.mark.corpus, pytest.mark.sphinx]


def test_corpus_imports_and_builds_without_warnings(make_site, capsys):
    corpus = corpus_dir()
    site = make_site()
    assert cli(["import", str(corpus), "--dest", str(site.root / "issues")]) == 0
    capsys.readouterr()
    pages = sorted((site.root / "issues").glob("*.md"))
    assert len(pages) == len(list(corpus.glob("*.md")))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-j",
            "2",
            "-b",
            "html",
            str(site.root),
            str(site.out),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert result.stderr == ""
    data = json.loads((site.out / "entries.json").read_text(encoding="utf-8"))
    assert {e["issue"] for e in data["entries"]} >= {94, 188}
    assert (site.out / "issues" / "0094.html").exists()
