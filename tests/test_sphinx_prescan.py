"""The pre-scan's results are reused by the read phase: each issue page is parsed once."""

from __future__ import annotations

import pytest

import roundup_kb.sphinxext.issues as issues_module
import roundup_kb.sphinxext.prescan as prescan_module
from conftest import issue_page

pytestmark = pytest.mark.sphinx

BODY = """
## Managing Teams

[One-on-ones](https://example.org/one) - Ann Author, Venue

Why.
"""


def test_each_page_is_checked_once_per_build(make_site, monkeypatch):
    site = make_site({n: issue_page(n, f"2021-0{n}-01", BODY) for n in (1, 2, 3)})
    calls: list[str] = []

    def counting(original):
        def check(text, path, *args, **kwargs):
            calls.append(path.rsplit("/", 1)[-1])
            return original(text, path, *args, **kwargs)

        return check

    monkeypatch.setattr(prescan_module, "check_page", counting(prescan_module.check_page))
    monkeypatch.setattr(issues_module, "check_page", counting(issues_module.check_page))
    site.build()
    assert sorted(calls) == ["0001.md", "0002.md", "0003.md"]
    # an incremental build re-checks only the edited page
    calls.clear()
    site.write_issue(2, issue_page(2, "2021-02-01", BODY.replace("Why.", "Why not.")))
    site.build()
    assert calls == ["0002.md"]
    assert "Why not." in site.html("issues/0002.html")
