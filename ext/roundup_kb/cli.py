"""The ``roundup-kb`` command line.

Each subcommand is one function that declares its arguments and one that runs
it; :data:`COMMANDS` lists them.  A command returns its exit status; problems
in the input raise :class:`RoundupError` and are printed to stderr as
``file:line: error: ...`` lines (exit status 1).  Usage errors exit with 2.
Defaults come from ``[tool.roundup-kb]`` in the nearest ``pyproject.toml``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from roundup_kb import __version__
from roundup_kb.config import ProjectConfig, load_project_config
from roundup_kb.importer import find_sources, plan_import, write_pages
from roundup_kb.problems import Problem, RoundupError, display_path

Run = Callable[[argparse.Namespace, ProjectConfig], int]


def _site_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {value!r}")
    return value.rstrip("/")


# ---------------------------------------------------------------------------- import


def add_import(commands: argparse._SubParsersAction) -> None:
    """``roundup-kb import SRC... --dest DIR``: Jekyll posts to issue pages."""
    parser = commands.add_parser(
        "import",
        help="convert newsletter posts (Jekyll Markdown) into issue pages",
        description=(
            "Convert newsletter posts in their Jekyll form into issue pages. Bodies are "
            "kept as written except for what MyST and Sphinx cannot take; each mend is "
            "printed with its line. Nothing is written when any source is bad, and a "
            "page edited by hand since it was imported is not overwritten without --force."
        ),
    )
    parser.add_argument(
        "sources", nargs="+", type=Path, metavar="SRC", help="a post, or a directory of *.md posts"
    )
    parser.add_argument(
        "--dest", type=Path, metavar="DIR", help="where issue pages go (default: the issues dir)"
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite pages edited or written by hand"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would be written; write nothing"
    )
    parser.add_argument(
        "--site-url",
        type=_site_url,
        metavar="URL",
        help="the newsletter's site, for links into it (default: site_url in pyproject.toml)",
    )
    parser.set_defaults(run=run_import)


def run_import(args: argparse.Namespace, config: ProjectConfig) -> int:
    """Plan the whole import, then write it (unless ``--dry-run``) and say what happened."""
    dest = args.dest if args.dest is not None else config.issues_dir
    site_url = args.site_url or config.site_url
    plan = plan_import(find_sources(args.sources), dest, site_url, force=args.force)
    if not args.dry_run:
        write_pages(plan)
    written = 0
    for item in plan:
        where = display_path(item.path)
        if item.action == "unchanged":
            print(f"unchanged {where}")
            continue
        written += 1
        mends = len(item.page.mends)
        note = f"{mends} mend{'s' if mends != 1 else ''}"
        if item.action == "replace":
            note += "; replacing a page edited by hand"
        print(f"{'would write' if args.dry_run else 'wrote'} {where} ({note})")
        source = display_path(item.page.source)
        for mend in item.page.mends:
            print(f"  {source}:{mend.line}: {mend.message}")
    done = "would be written" if args.dry_run else "written"
    pages = f"{len(plan)} issue page{'s' if len(plan) != 1 else ''}"
    print(f"{pages}: {written} {done}, {len(plan) - written} unchanged")
    return 0


# -------------------------------------------------------------------------- validate


def _registries(config: ProjectConfig):
    from roundup_kb.names import NameRegistry
    from roundup_kb.topics import TopicRegistry

    return TopicRegistry.load(config.topics_file), NameRegistry.load(config.names_file)


def _add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=lambda v: _count(v, 0),
        default=0,
        metavar="N",
        help="check pages in N processes (default: the CPUs, at most 4; 1 for one process)",
    )


def _jobs(args: argparse.Namespace) -> int:
    from roundup_kb.validate import default_jobs

    return args.jobs or default_jobs()


def add_validate(commands: argparse._SubParsersAction) -> None:
    """``roundup-kb validate [PATHS]``: every check the build makes, without Sphinx."""
    parser = commands.add_parser(
        "validate",
        help="check issue pages (fast; no Sphinx)",
        description=(
            "Check issue pages: front matter, file names, link items, topics, duplicate "
            "links and safe mode. Prints file:line: messages with a hint; exits 1 when "
            "there is any error or warning (the docs build treats warnings as errors)."
        ),
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="pages or directories (default: issues)"
    )
    parser.add_argument(
        "--allow-warnings", action="store_true", help="exit 0 when there are only warnings"
    )
    _add_jobs(parser)
    parser.set_defaults(run=run_validate)


def run_validate(args: argparse.Namespace, config: ProjectConfig) -> int:
    from roundup_kb.validate import validate_paths

    topics, names = _registries(config)
    issues, problems = validate_paths(
        args.paths or [config.issues_dir], topics, names, jobs=_jobs(args)
    )
    for problem in problems:
        print(
            problem.format().replace(f"{problem.path}:", f"{display_path(problem.path)}:", 1)
            if problem.path
            else problem.format()
        )
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    entries = sum(len(issue.entries) for issue in issues)
    print(f"{len(issues)} pages, {entries} entries: {errors} errors, {warnings} warnings")
    return 1 if errors or (warnings and not args.allow_warnings) else 0


# ------------------------------------------------------------------------------- new


def _date(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def add_new(commands: argparse._SubParsersAction) -> None:
    """``roundup-kb new``: scaffold the next issue page."""
    parser = commands.add_parser(
        "new",
        help="write the next issue page, ready to fill in",
        description="Write issues/NNNN.md with front matter and a heading per registered topic.",
    )
    parser.add_argument("--number", type=int, help="issue number (default: one after the newest)")
    parser.add_argument("--date", type=_date, help="issue date, YYYY-MM-DD (default: today)")
    parser.set_defaults(run=run_new)


def run_new(args: argparse.Namespace, config: ProjectConfig) -> int:
    from roundup_kb.scaffold import write_new_issue

    topics, _ = _registries(config)
    path = write_new_issue(config.issues_dir, topics, number=args.number, date=args.date)
    print(f"wrote {display_path(path)}")
    print(
        "fill in the link items under their topics, delete the empty sections, then run "
        "`roundup-kb validate`"
    )
    return 0


# ---------------------------------------------------------------------------- export


EXPORT_FORMATS = ("json", "bibtex", "ris", "csl-json")


def add_export(commands: argparse._SubParsersAction) -> None:
    """``roundup-kb export``: the entries as data, without building the site."""
    parser = commands.add_parser(
        "export",
        help="write the entries as JSON, BibTeX, RIS or CSL-JSON (as the site's exports)",
        description=(
            "Parse the issue pages and write the entries export: JSON (version 1, as "
            "entries.json), or every issue and entry as BibTeX, RIS or CSL-JSON (as "
            "entries.bib, entries.ris and entries.csl.json)."
        ),
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="pages or directories (default: issues)"
    )
    parser.add_argument("--out", type=Path, help="output file (default: standard output)")
    parser.add_argument("--base-url", help="make permalinks absolute with this site URL")
    parser.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default="json",
        help="json (default), bibtex, ris or csl-json",
    )
    _add_jobs(parser)
    parser.set_defaults(run=run_export)


def run_export(args: argparse.Namespace, config: ProjectConfig) -> int:
    from roundup_kb.catalogue import Catalogue
    from roundup_kb.export import entries_json, json_text
    from roundup_kb.problems import Problem
    from roundup_kb.validate import validate_paths

    topics, names = _registries(config)
    issues, problems = validate_paths(
        args.paths or [config.issues_dir], topics, names, jobs=_jobs(args)
    )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise RoundupError(errors)
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    catalogue = Catalogue.build(issues, topics, names)
    # the issue pages' directory in the site, for permalinks
    site_dir = config.issues_dir.relative_to(config.root).as_posix()
    if args.format == "json":
        data = entries_json(catalogue, args.base_url, issues_dir=site_dir)
        text = json_text(data)
    else:
        from roundup_kb import cite

        metas = {issue.meta.number: issue.meta for issue in issues}
        settings = {"site_url": args.base_url, "issues_dir": site_dir}
        entries = catalogue.entries.values()
        if args.format == "bibtex":
            text = cite.bibliography(entries, metas, **settings)
        elif args.format == "ris":
            text = cite.ris_file(entries, metas, **settings)
        else:
            items = cite.csl_items(entries, metas, **settings)
            text = json_text(items)
    text = text.rstrip("\n") + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        tmp = args.out.with_name(args.out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(args.out)
    except OSError as exc:
        raise RoundupError(
            Problem("output", f"cannot write the export: {exc}", str(args.out))
        ) from None
    print(f"wrote {display_path(args.out)} ({len(catalogue.entries)} entries)", file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------- synth


def _count(value: str, least: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = least - 1
    if number < least:
        raise argparse.ArgumentTypeError(f"not a whole number >= {least}: {value!r}")
    return number


def add_synth(commands: argparse._SubParsersAction) -> None:
    """``roundup-kb synth N --dest DIR``: synthetic issue pages for benchmarks."""
    parser = commands.add_parser(
        "synth",
        help="write N synthetic issue pages shaped like the real corpus (for benchmarks)",
        description=(
            "Write N synthetic issue pages with the corpus's shape (items per issue, "
            "commentary lengths, authors and venues, events, calls, jobs). The same seed "
            "always gives the same bytes. A different page already in DIR is not "
            "overwritten without --force."
        ),
    )
    parser.add_argument("count", type=lambda v: _count(v, 0), metavar="N", help="how many issues")
    parser.add_argument(
        "--dest", type=Path, required=True, metavar="DIR", help="where the pages go"
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    parser.add_argument(
        "--start-number",
        type=lambda v: _count(v, 1),
        default=1,
        metavar="K",
        help="number of the first issue (default: 1)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite different pages")
    parser.set_defaults(run=run_synth)


def run_synth(args: argparse.Namespace, config: ProjectConfig) -> int:
    from roundup_kb.synth import write_corpus

    topics, _ = _registries(config)
    paths = write_corpus(
        args.dest, args.count, topics, seed=args.seed, start=args.start_number, force=args.force
    )
    last = args.start_number + args.count - 1
    span = f" (issues {args.start_number}-{last})" if paths else ""
    print(f"wrote {len(paths)} synthetic issue pages to {display_path(args.dest)}{span}")
    return 0


# --------------------------------------------------------------------------- preview


def _port(value: str) -> int:
    number = _count(value, 0)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0 to 65535): {value!r}")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0.05 <= number <= 60:
        raise argparse.ArgumentTypeError(f"not a number of seconds from 0.05 to 60: {value!r}")
    return number


def add_preview(commands: argparse._SubParsersAction) -> None:
    """``roundup-kb preview``: build, serve on 127.0.0.1, rebuild on every change."""
    parser = commands.add_parser(
        "preview",
        help="build the site, serve it on 127.0.0.1 and build again on every change",
        description=(
            "Build the site, serve it, and build it again whenever a file of the project "
            "changes; open pages reload themselves after each build. Sphinx and the "
            "extensions are imported once, so a rebuild after an edit takes well under "
            "half as long as sphinx-build's. Stop with Ctrl-C."
        ),
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="port to serve on; 0 picks a free one (default: 8000)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output directory (default: _build/html)"
    )
    parser.add_argument(
        "-j", "--jobs", type=lambda v: _count(v, 1), default=1, help="sphinx-build -j N"
    )
    parser.add_argument(
        "--interval",
        type=_seconds,
        default=0.5,
        metavar="SECONDS",
        help="how often to look for changes (default: 0.5)",
    )
    parser.add_argument(
        "--no-serve", action="store_true", help="build and watch only; serve nothing"
    )
    parser.set_defaults(run=run_preview)


def run_preview(args: argparse.Namespace, config: ProjectConfig) -> int:
    from roundup_kb.preview import Preview

    if not hasattr(os, "fork"):
        print(
            "roundup-kb preview: error: this system cannot fork processes (Windows); "
            "build with python3 -m nox -s docs and serve _build/html instead",
            file=sys.stderr,
        )
        return 2
    if not (config.root / "conf.py").is_file():
        raise RoundupError(
            Problem(
                "no_project",
                "no conf.py here: there is no knowledge base to preview",
                path=display_path(config.root),
                hint="run roundup-kb preview in the project's directory (beside conf.py)",
            )
        )
    out = args.out if args.out is not None else config.root / "_build" / "html"
    preview = Preview(
        config.root,
        out,
        host=args.host,
        port=args.port,
        jobs=args.jobs,
        interval=args.interval,
        serve=not args.no_serve,
    )
    return preview.run()


# ------------------------------------------------------------------------------ main

#: one entry per subcommand: the function that adds its parser
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    add_import,
    add_validate,
    add_new,
    add_export,
    add_synth,
    add_preview,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="roundup-kb",
        description="Maintain a link-roundup newsletter knowledge base.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``roundup-kb`` with ``argv`` (default: the process arguments); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on usage errors (2) and --help (0)
        return exc.code if isinstance(exc.code, int) else 2
    run: Run | None = getattr(args, "run", None)
    if run is None:
        parser.print_usage(sys.stderr)
        print("roundup-kb: error: a command is required", file=sys.stderr)
        return 2
    try:
        return run(args, load_project_config(Path.cwd()))
    except RoundupError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        errors = sum(p.severity == "error" for p in exc.problems)
        print(f"{errors} error{'s' if errors != 1 else ''}; nothing written", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
