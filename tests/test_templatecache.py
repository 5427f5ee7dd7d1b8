"""roundup_kb.sphinxext.templatecache: each template loaded once a build, never stat'ed again."""

from __future__ import annotations

from collections import Counter

import pytest
import sphinx.jinja2glue

from conftest import issue_page

pytestmark = pytest.mark.sphinx

BODY = """
## Managing Teams

[One-on-ones](https://example.org/one) - Ann Author, Venue

Why.
"""


def test_a_build_asks_each_templates_time_once(make_site, monkeypatch):
    site = make_site({n: issue_page(n, f"2021-0{n}-01", BODY) for n in (1, 2, 3)})
    asked: Counter[str] = Counter()
    sphinx_time = sphinx.jinja2glue._last_modified_time

    def counting(filename):
        asked[str(filename)] += 1
        return sphinx_time(filename)

    monkeypatch.setattr(sphinx.jinja2glue, "_last_modified_time", counting)
    app, warnings = site.build()
    assert not warnings
    assert app.builder.templates.environment.auto_reload is False
    pages = list(site.out.rglob("*.html"))
    assert len(pages) > 20  # the issues, the docs and the generated pages
    layouts = [name for name in asked if name.endswith("layout.html")]
    assert layouts, asked  # the theme's layout was loaded
    # once, when it was loaded: Jinja's reload check would ask again for every page
    assert max(asked.values()) == 1, asked.most_common(3)
