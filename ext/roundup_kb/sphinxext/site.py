"""Site-level output: the root ``index.html`` that leads to the home page."""

from __future__ import annotations

import html
from pathlib import Path

from sphinx.application import Sphinx

REDIRECT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta http-equiv="refresh" content="0; url={target}">
<link rel="canonical" href="{target}">
</head>
<body><p><a href="{target}">{title}</a></p></body>
</html>
"""


def write_root_redirect(app: Sphinx, exception: Exception | None) -> None:
    """Give the site a root ``index.html`` when the home page lives elsewhere.

    The Sphinx source directory is the repository root and the home page is
    ``docs/index``, so without this a reader opening the output folder finds no
    ``index.html``.
    """
    if exception is not None or app.builder.format != "html":
        return
    if app.config.root_doc == "index" or not hasattr(app.builder, "get_target_uri"):
        return
    target = app.builder.get_target_uri(app.config.root_doc)
    page = Path(app.outdir) / "index.html"
    text = REDIRECT.format(
        title=html.escape(app.config.html_title or app.config.project),
        target=html.escape(target, quote=True),
    )
    if not page.exists() or page.read_text(encoding="utf-8") != text:
        page.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> None:
    app.connect("build-finished", write_root_redirect)
