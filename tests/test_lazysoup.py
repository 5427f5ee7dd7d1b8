"""The theme imported without BeautifulSoup until something calls it (own interpreters:
this one may have imported both already)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, issue_page

BODY = """
## Managing Teams

[Remote one-on-ones that work](https://example.org/remote-1on1) - Jennifer D. Nahrgang, HBR

More about the one-on-one.
"""


def _python(code: str, *paths: Path) -> dict:
    """Run ``code`` in a new interpreter with the extension importable; its last line
    of output, as JSON."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "ext"), *map(str, paths)])
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_theme_gets_a_beautifulsoup_that_imports_bs4_when_called():
    found = _python(
        """
        import json, sys
        from roundup_kb.sphinxext.lazysoup import LazyBeautifulSoup, import_theme_without_bs4
        done = import_theme_without_bs4()
        import pydata_sphinx_theme.toctree as toctree
        before = "bs4" in sys.modules
        soup = toctree.BeautifulSoup("<ul><li>one</li></ul>", "html.parser")
        import bs4
        print(json.dumps({
            "done": done, "bs4_before": before, "stand_in": toctree.BeautifulSoup is LazyBeautifulSoup,
            "real": isinstance(soup, bs4.BeautifulSoup), "text": soup.li.get_text(),
            "module": getattr(bs4, "__file__", None) is not None,
            "again": import_theme_without_bs4(),
        }))
        """
    )
    assert found == {
        "done": True,
        "bs4_before": False,  # not imported by the theme
        "stand_in": True,
        "real": True,  # a call makes a real soup
        "text": "one",
        "module": True,  # and bs4 is the real module from then on
        "again": False,  # once per process
    }


def test_a_theme_that_wants_more_of_bs4_is_left_to_sphinx(tmp_path):
    theme = tmp_path / "wanting_theme"
    theme.mkdir()
    (theme / "__init__.py").write_text("from bs4 import BeautifulSoup, Tag\n")
    found = _python(
        """
        import json, sys
        from roundup_kb.sphinxext import lazysoup
        lazysoup.THEME = "wanting_theme"
        done = lazysoup.import_theme_without_bs4()
        left = [n for n in ("bs4", "wanting_theme") if n in sys.modules]
        import wanting_theme  # as Sphinx would: with the real bs4
        import bs4
        print(json.dumps({"done": done, "left": left, "real": wanting_theme.Tag is bs4.Tag}))
        """,
        tmp_path,
    )
    assert found == {"done": False, "left": [], "real": True}


@pytest.mark.sphinx
def test_a_site_builds_the_same_pages_without_importing_bs4(make_site):
    """Built in a new interpreter twice, with ``bs4`` imported first (no stand-in) and
    not: the same pages; the second build of a page edit imports no ``bs4``."""
    site = make_site({1: issue_page(1, "2021-01-01", BODY), 2: issue_page(2, "2021-01-08", BODY)})
    build = """
        import json, sys
        {first}
        from sphinx.cmd.build import main
        code = main(["-q", "-b", "html", "{src}", "{out}"])
        print(json.dumps({{"code": code, "bs4": "bs4" in sys.modules}}))
        """
    pages: dict[str, dict[str, str]] = {}
    for first in ("import bs4", ""):
        out = site.root / "_build" / ("with-bs4" if first else "lazy")
        found = _python(build.format(first=first, src=site.root, out=out))
        assert found["code"] == 0  # (a full build calls the theme's lists for some page)
        pages[first] = {
            p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in out.rglob("*.html")
        }
    assert pages["import bs4"] == pages[""]
    assert len(pages[""]) > 20

    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nQuokkas.\n"))
    out = site.root / "_build" / "lazy"
    found = _python(build.format(first="", src=site.root, out=out))
    assert found == {"code": 0, "bs4": False}
    assert "Quokkas" in (out / "issues" / "0001.html").read_text(encoding="utf-8")
