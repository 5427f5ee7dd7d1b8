"""Compiled page templates kept between builds.

Sphinx's HTML builders compile their Jinja templates -- the theme's layout and
the dozens of components it includes -- in every build, incremental and no-op
builds too, which write at least the index and search pages.  That is about a
third of a second a build here, a tenth of an incremental build of the corpus.
Jinja can keep each template's compiled code in a file and use it again while
the template's source is the same (it compares a checksum of the source, and the
Jinja and Python versions); the files live beside the doctrees, in
``jinja-bytecode/``, and are written atomically, so ``-j N`` writers can share
them.

The static files that are templates (Sphinx's ``basic.css_t``,
``documentation_options.js_t``, ``language_data.js_t``) are rendered from their
text with ``render_string``, which Jinja compiles anew each time, in every build:
about 7 ms of each incremental build.  Their compiled code is kept in the same
cache, one file per distinct text (:func:`string_template`).

Jinja also asks, each time a template includes, extends or imports another one it
has loaded, whether that file changed since (``auto_reload``): a ``stat`` of the
file, about 30 a page with the theme's components (822 in an addition to the
corpus that wrote 28 pages).  A build's templates do not change while it runs,
and each build makes its template environment anew, so for the builder's
environment the question is not asked (:func:`no_reload`).
"""

from __future__ import annotations

from hashlib import sha1
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, Template
from sphinx.application import Sphinx

CACHE_DIR = "jinja-bytecode"


def use_bytecode_cache(app: Sphinx) -> None:
    """Give the builder's template environment a cache of compiled templates."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None or getattr(environment, "bytecode_cache", None) is not None:
        return  # not a template-rendering builder, or someone else chose a cache
    directory = Path(app.doctreedir) / CACHE_DIR
    directory.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(directory))
    if callable(getattr(app.builder.templates, "render_string", None)):
        app.builder.templates.render_string = _render_string(environment)


def no_reload(app: Sphinx) -> None:
    """Load each template of the build once, without asking again whether it changed."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is not None:
        environment.auto_reload = False


def string_template(environment: Environment, source: str) -> Template:
    """``environment.from_string(source)``, its compiled code kept in the bytecode cache.

    Each distinct text has its own entry (named by the text's digest), so templates
    rendered in turn do not evict each other; Jinja checks the text's checksum too.
    """
    cache = environment.bytecode_cache
    if cache is None:
        return environment.from_string(source)
    name = "<render_string " + sha1(source.encode("utf-8")).hexdigest() + ">"
    bucket = cache.get_bucket(environment, name, None, source)
    code = bucket.code
    if code is None:
        code = environment.compile(source)  # as from_string: no name, no file
        bucket.code = code
        cache.set_bucket(bucket)
    return environment.template_class.from_code(
        environment, code, environment.make_globals(None), None
    )


def _render_string(environment: Environment) -> Any:
    """Sphinx's ``BuiltinTemplateLoader.render_string``, through :func:`string_template`."""

    def render_string(source: str, context: dict[str, Any]) -> str:
        return string_template(environment, source).render(context)

    return render_string


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", use_bytecode_cache)
    app.connect("builder-inited", no_reload)
