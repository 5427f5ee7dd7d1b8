"""The ``roundup-kb`` command line.

Each subcommand is one function that declares its arguments and one that runs
it; :data:`COMMANDS` lists them.  A command returns its exit status; problems
in the input raise :class:`RoundupError` and are printed to stderr as
``file:line: error: ...`` lines (exit status 1).  Usage errors exit with 2.
Defaults come from ``[tool.roundup-kb]`` in the nearest ``pyproject.toml``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from roundup_kb import __version__
from roundup_kb.config import ProjectConfig, load_project_config
from roundup_kb.importer import find_sources, plan_import, write_pages
from roundup_kb.problems import RoundupError, display_path

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


# ------------------------------------------------------------------------------ main

#: one entry per subcommand: the function that adds its parser
COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (add_import,)


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
