"""What ``conf.py`` does before Sphinx loads the extensions."""

from __future__ import annotations

import logging

import pytest

from conftest import issue_page

pytestmark = pytest.mark.sphinx

PAGE = issue_page(1, "2021-01-08", "## Random\n\n[A](https://example.org/a) - B, C\n")


def test_the_logger_drops_debug_messages_only_when_no_handler_writes_them(make_site):
    site = make_site({1: PAGE})
    sphinx_logger = logging.getLogger("sphinx")

    # the default verbosity: no handler writes debug messages, the logger drops them
    app, _ = site.build()
    status = app.status.getvalue()
    assert sphinx_logger.level == logging.INFO
    assert "build succeeded" in status
    assert "setting up extension" not in status

    # -vv: the handlers write them, and the logger lets them through
    app, _ = site.build(verbosity=2)
    status = app.status.getvalue()
    assert sphinx_logger.level == logging.DEBUG
    assert "[app] setting up extension: 'roundup_kb'" in status
