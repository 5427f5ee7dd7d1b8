"""roundup-kb: turn a link-roundup newsletter into a browsable, citeable knowledge base.

The package has a core with no Sphinx import (front matter, the importer, the
link-item parser, registries, exports, the CLI) and a Sphinx adapter in
:mod:`roundup_kb.sphinxext`.  ``extensions = ["roundup_kb"]`` in ``conf.py``
loads the adapter through :func:`setup`.
"""

from __future__ import annotations

__version__ = "0.1.0"


def setup(app):  # pragma: no cover - thin delegation, exercised by the Sphinx tests
    """Sphinx entry point; imports Sphinx only when Sphinx loads the extension."""
    from roundup_kb.sphinxext import setup as _setup

    return _setup(app)
