"""Build-performance benchmark: the knowledge base beside a vanilla Sphinx + MyST build.

For each corpus -- the 126 real issues in ``../shared/corpus`` (imported with
``roundup-kb import``; skipped with a message when absent) and synthetic corpora
of the sizes given (``roundup_kb.synth``) -- two scratch projects are made in a
temporary directory:

* **ours**: the project's ``conf.py``, ``pyproject.toml`` and ``docs/`` (without
  the generated topic, author and venue stubs) and the issue pages;
* **vanilla**: the same issue pages under a ``conf.py`` that runs the project's
  ``conf.py`` and then drops ``roundup_kb`` (same theme, theme options, MyST
  settings, ``html_sidebars``, ``sphinx_design``; PyStemmer is installed for
  both), with an ``index.md`` holding a glob toctree of the issues.  Issue pages
  use no roundup-kb roles or directives (the imported and the synthetic ones have
  none), so vanilla builds them as they are.

Each ``sphinx-build -b html`` runs as its own process; wall time is measured
around it, and its peak memory (largest resident set of the build process and
the workers it forked), CPU time and what it read from disk rather than the page
cache are read from ``os.wait4``.  Scenarios, ours then vanilla
each time: a full build, a full ``-j N`` build (another output directory), a
no-op rebuild, a rebuild after appending a sentence to one entry's commentary in
the middle issue, and one after adding an issue (the next synthetic one); then the
same edit and addition built by ``roundup-kb preview``'s builder, which imported
Sphinx and the extensions beforehand (ours only: :data:`PREVIEW`).  Once a round,
before the first of the edit and the addition, each project's start-up floor is
timed: a copy with only the corpus's first page, that page edited and rebuilt
(:func:`make_floors`); the report gives each rebuild less its floor.  The
core (parse, check and catalogue every page without Sphinx) is timed in a new
Python process each time, with ``roundup-kb validate``'s default number of
processes (and once in one process).  Results go to
``_build/bench/results.json`` and ``results.md``, with PASS/FAIL against the
targets of ``docs/performance.md``.

Usage (``nox -s bench -- ARGS`` runs it in the nox environment)::

    python benchmarks/bench.py [--sizes 200,2000] [--no-corpus] [--scenarios full,noop,...]
                               [--jobs 2] [--out DIR] [--workdir DIR] [--seed S] [--strict]
    python benchmarks/bench.py --quick     # CI smoke test: 20 synthetic issues, full + no-op

Timings on a shared or busy machine are noisy; compare runs from the same quiet
machine only.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "research-computing-teams"
#: generated at build time, never copied into a scratch project
GENERATED = ("topics", "authors", "venues")
#: the project's pages of benchmark results: in the copy that is benchmarked each is
#: its heading only, so that what is measured does not grow with the reports of it
#: (their text took 0.78 to 0.91 s of 10 s full builds of the corpus, read, resolved,
#: indexed and written, on 2026-12-02); the links to them still resolve
REPORT_PAGES = ("performance.md", "performance-history.md")
#: the text of a report page in the benchmarked copy
REPORT_STAND_IN = "The benchmark builds this page without its text."
EDIT_SENTENCE = " This sentence was added by the benchmark to time an incremental rebuild."
SCENARIOS = ("full", "parallel", "noop", "edit", "add", "preview-edit", "preview-add")
QUICK_SCENARIOS = ("full", "noop")
LABELS = {
    "full": "full build",
    "parallel": "full build -j {jobs}",
    "noop": "no-op rebuild",
    "edit": "rebuild after editing one issue",
    "add": "rebuild after adding one issue",
    "preview-edit": "the edit, in roundup-kb preview",
    "preview-add": "the addition, in roundup-kb preview",
}
#: what a start-up floor's page gets each round (see :func:`make_floors`): a new
#: sentence every time, so that every timing reads and writes the page
FLOOR_SENTENCE = "Round {round} of the start-up floor."
#: rebuilds timed in ``roundup-kb preview``'s process (ours only; a vanilla project's
#: live preview, sphinx-autobuild, runs sphinx-build each time): the change they time
PREVIEW = {"preview-edit": "edit", "preview-add": "add"}

VANILLA_CONF = '''\
"""Vanilla peer of the knowledge base: its conf.py without roundup_kb."""

from pathlib import Path

_conf = Path(__file__).with_name("project_conf.py")
exec(compile(_conf.read_text(encoding="utf-8"), str(_conf), "exec"))

extensions = [name for name in extensions if name != "roundup_kb"]
for _name in [name for name in globals() if name.startswith("roundup_")]:
    del globals()[_name]
root_doc = "index"
include_patterns = ["index.md", "issues/**"]
'''

VANILLA_INDEX = """\
# Archive

Every issue of the newsletter.

```{toctree}
:hidden:
:glob:
:reversed:

issues/*
```
"""


# -- scratch projects ---------------------------------------------------------------


def _ignore_generated(directory: str, names: list[str]) -> list[str]:
    if Path(directory) == ROOT / "docs":
        return [n for n in names if n in GENERATED]
    return [n for n in names if n in ("_build", "__pycache__")]


def make_ours(dest: Path, issues: Path) -> Path:
    """A copy of the project (conf.py, pyproject.toml, docs/ without the text of the
    benchmark's report pages) with the pages in ``issues``."""
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "conf.py", dest / "conf.py")
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")
    shutil.copytree(ROOT / "docs", dest / "docs", ignore=_ignore_generated)
    for name in REPORT_PAGES:
        page = dest / "docs" / name
        if page.is_file():
            heading = page.read_text(encoding="utf-8").partition("\n")[0]
            page.write_text(f"{heading}\n\n{REPORT_STAND_IN}\n", encoding="utf-8")
    shutil.copytree(issues, dest / "issues")
    return dest


def make_vanilla(dest: Path, issues: Path) -> Path:
    """Sphinx + MyST with the project's settings but not roundup_kb, and the same pages."""
    dest.mkdir(parents=True)
    shutil.copy2(ROOT / "conf.py", dest / "project_conf.py")
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")  # project_conf reads it
    (dest / "conf.py").write_text(VANILLA_CONF, encoding="utf-8")
    (dest / "index.md").write_text(VANILLA_INDEX, encoding="utf-8")
    shutil.copytree(issues, dest / "issues")
    return dest


def make_floors(dest: Path, issues: Path, logs: Path) -> dict[str, Path]:
    """Ours and vanilla with only the first page of ``issues``, each built once (untimed).

    Rebuilding one of them after an edit to its page times what every ``sphinx-build``
    of that project pays whatever it builds -- starting Python, importing and setting
    up Sphinx, MyST, the theme and the extensions, the extension's work for a site of
    one page -- and one small page: the floor under the rebuilds, which moves with the
    machine's speed as they do.  A rebuild less its floor is the part that grows with
    the site.
    """
    page = sorted(issues.glob("*.md"))[0]
    one = dest / "page"
    one.mkdir(parents=True)
    shutil.copy2(page, one / page.name)
    floors = {"ours": make_ours(dest / "ours", one), "vanilla": make_vanilla(dest / "vanilla", one)}
    shutil.rmtree(one)
    for flavour, src in floors.items():
        setup = sphinx_build(src, src / "_build" / "html", logs / f"floor-{flavour}-setup.log")
        _stop_if_failed(setup, f"the {flavour} start-up floor's first build")
    return floors


def synthetic_issues(dest: Path, count: int, seed: int) -> Path:
    from roundup_kb.synth import write_corpus

    write_corpus(dest, count, _topics(), seed=seed)
    return dest


def corpus_issues(dest: Path) -> Path:
    """The shared corpus imported as issue pages (what ``roundup-kb import`` writes)."""
    from roundup_kb.importer import find_sources, plan_import, write_pages

    plan = plan_import(find_sources([CORPUS]), dest, _site_url())
    write_pages(plan)
    return dest


def _project_config():
    from roundup_kb.config import load_project_config

    return load_project_config(ROOT)


def _topics():
    from roundup_kb.topics import TopicRegistry

    return TopicRegistry.load(_project_config().topics_file)


def _site_url() -> str:
    return _project_config().site_url


# -- edits ------------------------------------------------------------------------------


def edit_one_issue(issues: Path) -> tuple[Path, str]:
    """Append a sentence to one entry's commentary in the middle issue; (page, new text)."""
    from roundup_kb.names import NameRegistry
    from roundup_kb.validate import check_page

    config = _project_config()
    names = NameRegistry.load(config.names_file)
    pages = sorted(issues.glob("*.md"))
    for page in pages[len(pages) // 2 :] + pages[: len(pages) // 2]:
        text = page.read_text(encoding="utf-8")
        issue = check_page(text, str(page), _topics(), names).issue
        lines = text.split("\n")
        for entry in issue.entries if issue else ():
            last = entry.commentary.rstrip().split("\n")[-1] if entry.commentary.strip() else ""
            if not last.strip():
                continue
            for index in range(entry.line, len(lines)):
                if lines[index].rstrip() == last.rstrip():
                    lines[index] = lines[index].rstrip() + EDIT_SENTENCE
                    return page, "\n".join(lines)
    raise SystemExit(f"bench: no entry with commentary to edit in {issues}")


def next_issue(issues: Path, seed: int) -> tuple[str, str]:
    """(file name, text) of the synthetic issue numbered one after the newest page."""
    from roundup_kb.synth import generate_issue

    number = max(int(p.stem) for p in issues.glob("*.md")) + 1
    return f"{number:04d}.md", generate_issue(number, _topics(), seed=seed).text


# -- running builds ---------------------------------------------------------------------


@dataclass
class Build:
    """One sphinx-build run."""

    seconds: float
    #: peak resident set of the build process (or its largest worker), MiB
    peak_mib: float
    cpu_seconds: float
    warnings: int
    returncode: int
    log: str
    #: MiB read from disk rather than the page cache (``ru_inblock``, 512-byte blocks)
    read_mib: float = 0.0
    #: wall-clock seconds of every run when the scenario was repeated (``seconds`` is
    #: their median, ``peak_mib`` their largest)
    runs: list[float] = field(default_factory=list)
    #: the ``PYTHONHASHSEED`` of the run (None: Python's random one); of every run
    #: when repeated
    hash_seed: int | None = None
    hash_seeds: list[int | None] = field(default_factory=list)
    #: ``read_mib`` of every run when repeated
    reads: list[float] = field(default_factory=list)


#: scenarios that can run again from the same state (``--repeat``)
REPEATABLE = SCENARIOS


def median_build(builds: list[Build]) -> Build:
    """One :class:`Build` for repeated runs: the median time, the largest peak."""
    ordered = sorted(builds, key=lambda b: b.seconds)
    middle = ordered[len(ordered) // 2]
    return Build(
        seconds=middle.seconds,
        peak_mib=max(b.peak_mib for b in builds),
        cpu_seconds=middle.cpu_seconds,
        warnings=max(b.warnings for b in builds),
        returncode=max(b.returncode for b in builds),
        log=middle.log,
        runs=[b.seconds for b in builds],
        hash_seed=middle.hash_seed,
        hash_seeds=[b.hash_seed for b in builds],
        read_mib=middle.read_mib,
        reads=[b.read_mib for b in builds],
    )


def hash_seed(mode: str, attempt: int) -> int | None:
    """The ``PYTHONHASHSEED`` of run ``attempt`` (0, 1, ...) of a scenario, ours and vanilla alike.

    A vanilla build of the corpus took 14.9 and 15.4 s with one seed and 19.0 and
    17.5 s with another, alternating on this machine: Python's random seed is a
    source of spread of its own.  ``fixed`` gives the k-th run of both builds the
    same seed, k + 1, so runs differ in code and not in luck, and a run of the
    benchmark is compared with the next on the same seeds.
    """
    return attempt + 1 if mode == "fixed" else None


def sphinx_build(
    src: Path, out: Path, log: Path, *, jobs: int = 1, seed: int | None = None
) -> Build:
    """Run ``sphinx-build -b html`` in a child process; time it and read its peak memory.

    ``seed``: the child's ``PYTHONHASHSEED`` (None: a random one, as Python's default).
    The files the last build wrote are flushed to disk first, outside the timing: on
    2026-12-01 a 2,000-issue no-op build right after two full builds waited about 8 s
    of its 9.84 s for their write-back (1.58 s of CPU).
    """
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q"]
    if jobs > 1:
        command += ["-j", str(jobs)]
    command += [str(src), str(out)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
    if seed is not None:
        env["PYTHONHASHSEED"] = str(seed)
    with open(log, "w", encoding="utf-8") as stream:
        if hasattr(os, "sync"):  # not on Windows
            os.sync()
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT, cwd=src, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(encoding="utf-8", errors="replace")
    return Build(
        seconds=round(seconds, 3),
        peak_mib=round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 3),
        warnings=text.count("WARNING:"),
        returncode=child.returncode,
        log=str(log),
        hash_seed=seed,
        read_mib=round(usage.ru_inblock * 512 / 2**20, 1),
    )


#: run by :class:`PreviewBuilder`: the preview's builder, building on each line read
PREVIEW_CODE = """\
import json, os, sys
from pathlib import Path
from roundup_kb.preview import WarmBuilder

replies = os.fdopen(os.dup(1), "w")
log = open(sys.argv[3], "a", encoding="utf-8")
os.dup2(log.fileno(), 1)  # the builds' messages go to the log, as sphinx-build's
os.dup2(log.fileno(), 2)
builder = WarmBuilder(Path(sys.argv[1]), Path(sys.argv[2]))
builder.warm()
print("ready", file=replies, flush=True)
for _ in sys.stdin:
    r = builder.build()
    reply = [r.returncode, r.seconds, r.cpu_seconds, r.peak_mib, r.read_mib]
    print(json.dumps(reply), file=replies, flush=True)
"""


class PreviewBuilder:
    """``roundup-kb preview``'s builder (:class:`roundup_kb.preview.WarmBuilder`) in a
    process of its own: Sphinx and the extensions imported once, untimed; each build
    it is asked for forked from it and timed there, from the fork to the child's exit."""

    def __init__(self, src: Path, out: Path, log: Path, seed: int | None):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}
        if seed is not None:
            env["PYTHONHASHSEED"] = str(seed)
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-c", PREVIEW_CODE, str(src), str(out), str(log)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=src,
            env=env,
        )
        self.seed = seed
        if self.process.stdout.readline().strip() != "ready":
            self.close()
            raise SystemExit(f"bench: the preview's builder did not start; see {log}")

    def build(self) -> Build:
        before = self.log.read_text(encoding="utf-8", errors="replace").count("WARNING:")
        if hasattr(os, "sync"):  # as sphinx_build, outside the timing
            os.sync()
        self.process.stdin.write("build\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"bench: the preview's builder stopped; see {self.log}")
        returncode, seconds, cpu, peak, read = json.loads(line)
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return Build(
            seconds=round(seconds, 3),
            peak_mib=round(peak, 1),
            cpu_seconds=round(cpu, 3),
            warnings=text.count("WARNING:") - before,
            returncode=returncode,
            log=str(self.log),
            hash_seed=self.seed,
            read_mib=round(read, 1),
        )

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


@dataclass
class CorpusResult:
    """Everything measured on one corpus."""

    name: str
    issues: int
    entries: int
    core_seconds: float
    builds: dict[str, dict[str, Build]] = field(default_factory=dict)
    #: every timing of the core when it was repeated (``core_seconds`` is their median)
    core_runs: list[float] = field(default_factory=list)
    #: processes the core used (``roundup-kb validate``'s default), and its time in one
    core_jobs: int = 1
    core_one_process: float | None = None
    #: flavour -> the start-up floor (:func:`make_floors`), timed once a round before
    #: the first of the edit and the addition; empty when neither ran
    floors: dict[str, Build] = field(default_factory=dict)


def core_seconds(issues: Path, jobs: int = 1) -> tuple[float, int]:
    """Parse, check and catalogue every page without Sphinx: (seconds, entries).

    ``jobs`` processes check the pages, as ``roundup-kb validate --jobs``.
    """
    from roundup_kb.catalogue import Catalogue
    from roundup_kb.names import NameRegistry
    from roundup_kb.validate import validate_paths

    config = _project_config()
    start = time.perf_counter()
    topics = _topics()
    names = NameRegistry.load(config.names_file)
    parsed, _ = validate_paths([issues], topics, names, jobs=jobs)
    catalogue = Catalogue.build(parsed, topics, names)
    return time.perf_counter() - start, len(catalogue.entries)


def core_in_new_process(issues: Path, jobs: int) -> tuple[float, int]:
    """:func:`core_seconds` in a new Python process, as the CLI runs it.

    In this process a second timing would find the parser's caches (normalised
    URLs, names) filled by the first, and forked workers would inherit them.
    """
    code = (
        "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "import bench; print(json.dumps(bench.core_seconds(Path(sys.argv[2]), int(sys.argv[3]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(issues), str(jobs)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(
            f"bench: timing the core on {issues} failed:\n{done.stderr.strip()[-2000:]}"
        )
    seconds, entries = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, entries


def run_corpus(
    name: str,
    issues: Path,
    work: Path,
    scenarios: tuple[str, ...],
    jobs: int,
    seed: int,
    repeat: int = 1,
    hash_seeds: str = "fixed",
) -> CorpusResult:
    """Build both projects of one corpus through ``scenarios``, ours then vanilla each time.

    ``repeat``: run each of :data:`REPEATABLE` that many times (ours, vanilla, ours,
    ...) and keep the median, for machines whose speed varies from minute to minute.
    The runs go in rounds, each round every scenario once; before each round after
    the first the edit is taken back and the added issue removed, and the round's
    full build (a fresh output directory) starts from the same pages as the first.
    """
    # timed like the builds, the median of ``repeat`` runs: one timing moved from
    # 1.89 to 3.65 s with the machine's speed here
    from roundup_kb.validate import default_jobs

    jobs_core = default_jobs()
    timings = [core_in_new_process(issues, jobs_core) for _ in range(repeat)]
    runs = [round(seconds, 3) for seconds, _ in timings]
    core, entries = sorted(runs)[len(runs) // 2], timings[0][1]  # as median_build
    result = CorpusResult(name, len(list(issues.glob("*.md"))), entries, core)
    result.core_jobs = jobs_core
    if repeat > 1:
        result.core_runs = runs
    if jobs_core > 1:
        result.core_one_process = round(core_in_new_process(issues, 1)[0], 3)
    _say(f"{name}: {result.issues} issues, {entries} entries; core {core:.2f} s")
    projects = {
        "ours": make_ours(work / name / "ours", issues),
        "vanilla": make_vanilla(work / name / "vanilla", issues),
    }
    logs = work / name / "logs"
    logs.mkdir(parents=True)
    edited: tuple[str, str] | None = None
    added: tuple[str, str] | None = None
    unedited = ""
    if {"edit", "preview-edit"} & set(scenarios):
        page, text = edit_one_issue(projects["ours"] / "issues")
        edited, unedited = (page.name, text), page.read_text(encoding="utf-8")
    if {"add", "preview-add"} & set(scenarios):
        added = next_issue(projects["ours"] / "issues", seed)
    floor_projects = (
        make_floors(work / name / "floor", issues, logs) if {"edit", "add"} & set(scenarios) else {}
    )
    floor_runs: dict[str, list[Build]] = {flavour: [] for flavour in floor_projects}
    runs: dict[str, dict[str, list[Build]]] = {
        scenario: {
            flavour: [] for flavour in projects if flavour == "ours" or scenario not in PREVIEW
        }
        for scenario in scenarios
    }
    # Rounds: each round runs every scenario once, so a rebuild and the full build it
    # is a share of are timed minutes apart, not a quarter of an hour: this machine's
    # speed drifts that much (see docs/performance.md).
    for attempt in range(repeat):
        if attempt:
            _restore_sources(projects, edited, unedited, added)
        preview: PreviewBuilder | None = None
        floored = not floor_projects
        for scenario in scenarios:
            if attempt and scenario not in REPEATABLE:
                continue
            if scenario in ("edit", "add") and not floored:
                for flavour, src in floor_projects.items():
                    floor_runs[flavour].append(
                        _run_floor(
                            name, flavour, src, logs, attempt, hash_seed(hash_seeds, attempt)
                        )
                    )
                floored = True
            if scenario in PREVIEW:
                if preview is None:  # one per round: the round's hash seed
                    suffix = f"-{attempt + 1}" if attempt else ""
                    preview = PreviewBuilder(
                        projects["ours"],
                        projects["ours"] / "_build" / "html",
                        logs / f"ours-preview{suffix}.log",
                        hash_seed(hash_seeds, attempt),
                    )
                runs[scenario]["ours"].append(
                    _run_preview(name, scenario, projects["ours"], preview, edited, unedited, added)
                )
                continue
            for flavour, src in projects.items():
                runs[scenario][flavour].append(
                    _run_scenario(
                        name,
                        scenario,
                        flavour,
                        src,
                        logs,
                        jobs,
                        edited,
                        added,
                        attempt,
                        hash_seed(hash_seeds, attempt),
                    )
                )
        if preview is not None:
            preview.close()
    for scenario in scenarios:
        result.builds[scenario] = {
            flavour: _one_build(builds) for flavour, builds in runs[scenario].items()
        }
    result.floors = {flavour: _one_build(found) for flavour, found in floor_runs.items() if found}
    return result


def _one_build(builds: list[Build]) -> Build:
    """The build a scenario reports: the one run, or the median of repeated runs."""
    return median_build(builds) if len(builds) > 1 else builds[0]


def _stop_if_failed(build: Build, what: str) -> None:
    """Exit with the end of the build's log when it failed."""
    if build.returncode != 0:
        tail = Path(build.log).read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"bench: {what} failed:\n{tail}")


def _run_floor(
    name: str, flavour: str, src: Path, logs: Path, attempt: int, seed: int | None
) -> Build:
    """Edit a start-up floor's page (:data:`FLOOR_SENTENCE`) and time its rebuild."""
    (page,) = (src / "issues").glob("*.md")
    text = page.read_text(encoding="utf-8").rstrip("\n")
    page.write_text(f"{text}\n\n{FLOOR_SENTENCE.format(round=attempt + 1)}\n", encoding="utf-8")
    suffix = f"-{attempt + 1}" if attempt else ""
    out = src / "_build" / "html"
    build = sphinx_build(src, out, logs / f"{flavour}-floor{suffix}.log", seed=seed)
    _say(f"{name}: {flavour:7} {'start-up floor: one page edited':32} {build.seconds:8.2f} s")
    _stop_if_failed(build, f"the {flavour} start-up floor's build of {name}")
    return build


def _by_round(build: Build) -> list[float]:
    """The seconds of each round's run of a build (one when it was not repeated)."""
    return build.runs or [build.seconds]


def above_floor(result: CorpusResult) -> dict[str, dict[str, float]]:
    """scenario -> flavour -> the median over rounds of the rebuild's time less the
    same flavour's start-up floor in that round, for the no-op, the edit and the
    addition that ran."""
    found: dict[str, dict[str, float]] = {}
    for scenario in ("noop", "edit", "add"):
        for flavour, build in result.builds.get(scenario, {}).items():
            if flavour not in result.floors:
                continue
            rounds, floors = _by_round(build), _by_round(result.floors[flavour])
            if len(rounds) != len(floors):
                continue
            above = sorted(t - f for t, f in zip(rounds, floors, strict=True))
            found.setdefault(scenario, {})[flavour] = round(above[len(above) // 2], 3)
    return found


def own_shares(result: CorpusResult) -> dict[str, dict[str, float]]:
    """flavour -> scenario -> the rebuild's median over the same flavour's median full
    build, for the edit and the addition: the measure of the rebuild targets, applied
    to vanilla too (what Sphinx alone does by that measure)."""
    full = result.builds.get("full", {})
    found: dict[str, dict[str, float]] = {}
    for scenario in ("edit", "add"):
        for flavour, build in result.builds.get(scenario, {}).items():
            if flavour in full and full[flavour].seconds:
                found.setdefault(flavour, {})[scenario] = build.seconds / full[flavour].seconds
    return found


def _restore_sources(
    projects: dict[str, Path],
    edited: tuple[str, str] | None,
    unedited: str,
    added: tuple[str, str] | None,
) -> None:
    """Before another round: take the edit back and the added issue away.  The round
    starts with a full build in a fresh output directory (the rebuild scenarios bring
    one, see ``_scenarios``), so the pages are all it needs."""
    for src in projects.values():
        if edited:
            (src / "issues" / edited[0]).write_text(unedited, encoding="utf-8")
        if added:
            (src / "issues" / added[0]).unlink(missing_ok=True)


def _run_scenario(
    name: str,
    scenario: str,
    flavour: str,
    src: Path,
    logs: Path,
    jobs: int,
    edited: tuple[str, str] | None,
    added: tuple[str, str] | None,
    attempt: int,
    seed: int | None = None,
) -> Build:
    if scenario == "edit" and edited:
        (src / "issues" / edited[0]).write_text(edited[1], encoding="utf-8")
    if scenario == "add" and added:
        (src / "issues" / added[0]).write_text(added[1], encoding="utf-8")
    out = src / "_build" / ("html-j" if scenario == "parallel" else "html")
    if scenario in ("full", "parallel"):
        shutil.rmtree(out, ignore_errors=True)
    suffix = f"-{attempt + 1}" if attempt else ""
    build = sphinx_build(
        src,
        out,
        logs / f"{flavour}-{scenario}{suffix}.log",
        jobs=jobs if scenario == "parallel" else 1,
        seed=seed,
    )
    _say(
        f"{name}: {flavour:7} {_label(scenario, jobs):32} {build.seconds:8.2f} s "
        f"{build.peak_mib:8.0f} MiB  {build.warnings} warnings{_read(build.read_mib)}"
    )
    _stop_if_failed(build, f"{flavour} {scenario} build of {name}")
    _check_rebuilt(scenario, out, edited, added, f"{flavour} {name}")
    return build


def _run_preview(
    name: str,
    scenario: str,
    src: Path,
    preview: PreviewBuilder,
    edited: tuple[str, str] | None,
    unedited: str,
    added: tuple[str, str] | None,
) -> Build:
    """The edit or the addition of the round, built by the preview.  The edit starts
    from the round's first pages (edit taken back, addition removed, built untimed);
    the addition follows it, as the sphinx-build addition follows its edit."""
    change = PREVIEW[scenario]
    if change == "edit":
        _restore_sources({"ours": src}, edited, unedited, added)
        settle = preview.build()
        if settle.returncode != 0:
            raise SystemExit(f"bench: the preview's build of {name} failed; see {settle.log}")
    if change == "edit" and edited:
        (src / "issues" / edited[0]).write_text(edited[1], encoding="utf-8")
    if change == "add" and added:
        (src / "issues" / added[0]).write_text(added[1], encoding="utf-8")
    build = preview.build()
    _say(
        f"{name}: {'ours':7} {_label(scenario, 0):32} {build.seconds:8.2f} s "
        f"{build.peak_mib:8.0f} MiB  {build.warnings} warnings{_read(build.read_mib)}"
    )
    if build.returncode != 0:
        raise SystemExit(f"bench: the preview's {change} build of {name} failed; see {build.log}")
    _check_rebuilt(change, src / "_build" / "html", edited, added, f"preview {name}")
    return build


def _check_rebuilt(
    scenario: str, out: Path, edited: tuple[str, str] | None, added: tuple[str, str] | None, what
) -> None:
    """A rebuild that missed the change would time nothing: check the change is in the site."""
    if scenario == "edit" and edited:
        page = out / "issues" / edited[0].replace(".md", ".html")
        if EDIT_SENTENCE.strip() not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"bench: the {what} rebuild did not pick up the edit of {page.name}")
    if scenario == "add" and added:
        page = out / "issues" / added[0].replace(".md", ".html")
        if not page.is_file():
            raise SystemExit(f"bench: the {what} rebuild did not build the new {page.name}")


# -- targets and report -------------------------------------------------------------------


@dataclass
class Target:
    """One target of docs/performance.md checked against one measurement."""

    target: str
    corpus: str
    value: float | None
    limit: float | None
    unit: str
    status: str  # PASS, FAIL or SKIP
    note: str = ""
    #: with ``--repeat``: the measure of each round (a rebuild over the same round's
    #: full build, not over the median), so that a verdict the spread decides shows
    rounds: list[float] = field(default_factory=list)

    @property
    def rounds_within(self) -> str:
        """``"3 of 5"``: the rounds whose own measure is within the limit; ``""`` without."""
        if not self.rounds or self.limit is None:
            return ""
        within = sum(value <= self.limit for value in self.rounds)
        return f"{within} of {len(self.rounds)}"


def _check(
    name: str,
    corpus: str,
    value: float | None,
    limit: float,
    unit: str,
    note="",
    rounds: list[float] | None = None,
):
    if value is None:
        return Target(name, corpus, None, limit, unit, "SKIP", note)
    status = "PASS" if value <= limit else "FAIL"
    kept = [round(v, 3) for v in rounds or []]
    return Target(name, corpus, round(value, 3), limit, unit, status, rounds=kept)


def _per_round(numerators: list[float], denominators: list[float] | None = None) -> list[float]:
    """Each round's measure: ``numerators[k] / denominators[k]``, or the numerators alone.
    Empty unless both have a run per round (two rounds or more)."""
    if len(numerators) < 2:
        return []
    if denominators is None:
        return list(numerators)
    if len(denominators) != len(numerators) or not all(denominators):
        return []
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


def check_targets(results: list[CorpusResult], jobs: int) -> list[Target]:
    """Each corpus against each target; SKIP where a scenario was not run."""
    targets: list[Target] = []

    def seconds(result: CorpusResult, scenario: str, flavour: str = "ours") -> float | None:
        build = result.builds.get(scenario, {}).get(flavour)
        return build.seconds if build else None

    def runs(result: CorpusResult, scenario: str, flavour: str = "ours") -> list[float]:
        build = result.builds.get(scenario, {}).get(flavour)
        return build.runs if build else []

    for r in results:
        full, vanilla = seconds(r, "full"), seconds(r, "full", "vanilla")
        ratio = full / vanilla if full and vanilla else None
        full_runs = runs(r, "full")
        targets.append(
            _check(
                "full build <= 1.0x vanilla",
                r.name,
                ratio,
                1.0,
                "x",
                rounds=_per_round(full_runs, runs(r, "full", "vanilla")),
            )
        )
        parallel = seconds(r, "parallel")
        targets.append(
            _check(
                f"-j {jobs} faster than serial",
                r.name,
                parallel / full if parallel and full else None,
                0.999,
                "x serial",
                rounds=_per_round(runs(r, "parallel"), full_runs),
            )
        )
        for scenario, limit in (
            ("edit", 0.10),
            ("add", 0.15),
            ("preview-edit", 0.10),
            ("preview-add", 0.15),
        ):
            value = seconds(r, scenario)
            change = PREVIEW.get(scenario, scenario)
            targets.append(
                _check(
                    f"{change}-one rebuild{' in preview' if scenario in PREVIEW else ''} "
                    f"<= {limit:.0%} of full",
                    r.name,
                    value / full if value is not None and full else None,
                    limit,
                    "x full",
                    rounds=_per_round(runs(r, scenario), full_runs),
                )
            )
        targets.append(
            _check(
                "no-op rebuild <= 3 s",
                r.name,
                seconds(r, "noop"),
                3.0,
                "s",
                rounds=_per_round(runs(r, "noop")),
            )
        )
        peak = r.builds.get("full", {}).get("ours")
        targets.append(
            _check(
                "peak memory <= 3 GB",
                r.name,
                peak.peak_mib / 1024 if peak else None,
                3.0,
                "GiB",
            )
        )
    # 10x the issues in at most 12x the time: 2,000 vs 200 by default, any such pair counts
    synthetic = {r.issues: r for r in results if r.name.startswith("synthetic")}
    pairs = [(n, n * 10) for n in sorted(synthetic) if n * 10 in synthetic] or [(200, 2000)]
    for small_n, large_n in pairs:
        small, large = synthetic.get(small_n), synthetic.get(large_n)
        small_s = seconds(small, "full") if small else None
        large_s = seconds(large, "full") if large else None
        targets.append(
            _check(
                f"{large_n:,} synthetic <= 12x the {small_n:,} build",
                f"synthetic-{large_n}/{small_n}",
                large_s / small_s if small_s and large_s else None,
                12.0,
                "x",
                "needs --sizes with two sizes ten times apart, e.g. 200,2000",
            )
        )
    corpus = next((r for r in results if r.name == "corpus"), None)
    targets.append(
        _check(
            "core <= 3 s on the corpus",
            "corpus",
            corpus.core_seconds if corpus else None,
            3.0,
            "s",
            "needs ../shared/corpus",
            rounds=_per_round(corpus.core_runs) if corpus else None,
        )
    )
    return targets


def markdown_report(results: list[CorpusResult], targets: list[Target], meta: dict) -> str:
    """The results as Markdown tables: builds with ratios, then the targets."""
    jobs = meta["jobs"]
    lines = [
        f"# Benchmark results ({meta['date']})",
        "",
        f"Machine: {meta['machine']}; Python {meta['python']}; Sphinx {meta['sphinx']}; "
        f"PyStemmer {'installed' if meta['pystemmer'] else 'NOT installed'}; "
        f"load average before {meta['load_before']}, after {meta['load_after']}; "
        f"reference loop (5M additions) {meta['reference_before']} s before, "
        f"{meta['reference_after']} s after; {meta.get('bytecode', 'bytecode not checked')}.",
        "",
    ]
    if meta.get("repeat", 1) > 1:
        lines += [
            f"Every scenario: median of {meta['repeat']} runs on corpora of at "
            f"most {meta['repeat_up_to']} issues (every run is listed under its table), "
            "in rounds: each round times every scenario once, in the order of the table.",
            "",
        ]
    if meta.get("hash_seeds") == "fixed":
        lines += ["Hash seeds: run k of each build, ours and vanilla, with PYTHONHASHSEED=k.", ""]
    for r in results:
        lines += [
            f"## {r.name}: {r.issues} issues, {r.entries} entries",
            "",
            "| scenario | ours (s) | vanilla (s) | ours/vanilla | ours peak (MiB) "
            "| vanilla peak (MiB) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for scenario, builds in r.builds.items():
            ours, vanilla = builds["ours"], builds.get("vanilla")
            if vanilla is None:  # the preview's rebuilds: ours only
                lines.append(
                    f"| {_label(scenario, jobs)} | {ours.seconds:.2f} | - | - "
                    f"| {ours.peak_mib:.0f} | - |"
                )
                continue
            ratio = f"{ours.seconds / vanilla.seconds:.2f}" if vanilla.seconds else "-"
            lines.append(
                f"| {_label(scenario, jobs)} | {ours.seconds:.2f} | {vanilla.seconds:.2f} "
                f"| {ratio} | {ours.peak_mib:.0f} | {vanilla.peak_mib:.0f} |"
            )
        processes = f"{r.core_jobs} processes" if r.core_jobs > 1 else "one process"
        core = f"Core (parse + catalogue, no Sphinx): {r.core_seconds:.2f} s in {processes}"
        if r.core_runs:
            core += " (median of " + ", ".join(f"{t:.2f}" for t in r.core_runs) + " s)"
        if r.core_one_process is not None:
            core += f"; {r.core_one_process:.2f} s in one process"
        lines += ["", core + ".", ""]
        if r.floors:
            floor = (
                "Start-up floor (each project with only its first page, that page edited "
                "and rebuilt: starting Python, Sphinx, MyST, the theme and the extensions, "
                "and one page): "
            )
            floor += ", ".join(
                f"{flavour} {build.seconds:.2f} s"
                + (
                    " (median of " + ", ".join(f"{t:.2f}" for t in build.runs) + " s)"
                    if len(build.runs) > 1
                    else ""
                )
                for flavour, build in r.floors.items()
            )
            above = above_floor(r)
            if above:
                floor += ".  Above it (each round's rebuild less that round's floor, median): "
                floor += "; ".join(
                    f"{_label(scenario, jobs)}, "
                    + ", ".join(f"{flavour} {seconds:+.2f} s" for flavour, seconds in by.items())
                    for scenario, by in above.items()
                )
            lines += [floor + ".", ""]
        shares = own_shares(r)
        if "vanilla" in shares:
            lines += [
                "Each project's rebuilds over its own full build (the rebuild targets' "
                "measure, medians): "
                + "; ".join(
                    f"{flavour} "
                    + ", ".join(
                        f"{_label(scenario, jobs)} {share:.1%}" for scenario, share in by.items()
                    )
                    for flavour, by in shares.items()
                )
                + ".",
                "",
            ]
        for scenario, builds in r.builds.items():
            for flavour, build in builds.items():
                reads = build.reads if len(build.runs) > 1 else [build.read_mib]
                # a build that waited on the disk says so (see READ_NOTED)
                read = ""
                if max(reads) >= READ_NOTED:
                    read = "; read from disk " + ", ".join(f"{m:.1f}" for m in reads) + " MiB"
                if len(build.runs) > 1:
                    runs = ", ".join(f"{t:.2f}" for t in build.runs)
                    lines.append(f"- {_label(scenario, jobs)}, {flavour}: {runs} s{read}")
                elif read:
                    line = f"- {_label(scenario, jobs)}, {flavour}: {build.seconds:.2f} s{read}"
                    lines.append(f"{line}, {build.cpu_seconds:.2f} s of CPU")
        if lines[-1].startswith("- "):
            lines.append("")
    lines += ["## Targets", ""]
    if any(t.rounds for t in targets):
        lines += [
            "Rounds within the limit: each round's own measure (a rebuild over the same "
            "round's full build, ours over vanilla in that round, each no-op, each timing "
            "of the core) against the limit; the result is the medians'.",
            "",
        ]
    lines += ["| target | corpus | measured | limit | result | rounds within the limit |"]
    lines += ["| --- | --- | ---: | ---: | --- | --- |"]
    for t in targets:
        value = "-" if t.value is None else f"{t.value:.3g} {t.unit}"
        note = f" ({t.note})" if t.status == "SKIP" and t.note else ""
        lines.append(
            f"| {t.target} | {t.corpus} | {value} | {t.limit:g} {t.unit} | {t.status}{note} "
            f"| {t.rounds_within or '-'} |"
        )
    return "\n".join(lines) + "\n"


def _label(scenario: str, jobs: int) -> str:
    return LABELS[scenario].format(jobs=jobs)


#: MiB a build must read from disk (not the page cache) for the report to say so: this
#: machine's page cache keeps few files (500 MB with 23 GB free on 2026-12-01), and a
#: rebuild that reads Sphinx's modules and the environment from disk again takes
#: seconds more (a 2,000-issue no-op build 4.94 s, with 1.50 s of CPU)
READ_NOTED = 1.0


def _read(mib: float) -> str:
    return f"  read {mib:.0f} MiB from disk" if mib >= READ_NOTED else ""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _meta(
    args: argparse.Namespace, load_before: str, reference_before: float, compiled: str
) -> dict:
    import sphinx

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}, {_cpu_model()}",
        "python": platform.python_version(),
        "sphinx": sphinx.__version__,
        "pystemmer": importlib.util.find_spec("Stemmer") is not None,
        "jobs": args.jobs,
        "seed": args.seed,
        "hash_seeds": args.hash_seeds,
        "quick": args.quick,
        "load_before": load_before,
        "load_after": _load(),
        "repeat": args.repeat,
        "repeat_up_to": args.repeat_up_to,
        "reference_before": reference_before,
        "reference_after": reference_seconds(),
        "bytecode": compiled,
    }


def compile_package() -> str:
    """Byte-compile roundup_kb's modules, as ``pip install`` does for an installed package.

    An editable install leaves them to be compiled when first imported, and with
    ``PYTHONDONTWRITEBYTECODE`` set (as on the machine of docs/performance.md)
    Python compiles them again in every build: a tenth to a fifth of a second that
    vanilla, whose packages all came compiled from pip, never pays.  Returns what
    was done, for the report.
    """
    import roundup_kb

    package = Path(roundup_kb.__file__).parent
    if compileall.compile_dir(str(package), quiet=1):
        return f"roundup_kb byte-compiled ({package})"
    return f"roundup_kb NOT byte-compiled ({package} not writable?)"


def reference_seconds() -> float:
    """Seconds this machine takes for a fixed pure-Python loop, to compare runs made on
    days when the (shared, virtual) machine ran at different speeds."""
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return round(time.perf_counter() - start, 3)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


# -- command line ----------------------------------------------------------------------


def _sizes(value: str) -> list[int]:
    try:
        sizes = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of issue counts: {value!r}") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"issue counts must be at least 1: {value!r}")
    return sizes


def _scenarios(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in SCENARIOS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown scenario {', '.join(unknown) or value!r}: choose from {', '.join(SCENARIOS)}"
        )
    if set(chosen) & {"noop", "edit", "add", *PREVIEW}:
        chosen += ("full",)  # rebuilds need the full build's output to rebuild
    return tuple(s for s in SCENARIOS if s in chosen)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench", description=__doc__.split("\n\n")[0], allow_abbrev=False
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help="synthetic corpus sizes, comma-separated (default: 200,2000; --quick: 20)",
    )
    parser.add_argument(
        "--corpus",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="include the 126-issue corpus from ../shared (default: yes; --quick: no)",
    )
    parser.add_argument(
        "--scenarios",
        type=_scenarios,
        default=None,
        help=f"comma-separated, from {','.join(SCENARIOS)} (default: all; --quick: full,noop)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="-j for the parallel build")
    parser.add_argument("--seed", type=int, default=0, help="synthetic corpus seed")
    parser.add_argument(
        "--hash-seeds",
        choices=("fixed", "random"),
        default="fixed",
        help="PYTHONHASHSEED of the builds: fixed gives run k of ours and of vanilla "
        "seed k+1 (default); random leaves it to Python",
    )
    parser.add_argument(
        "--quick", action="store_true", help="CI smoke test: 20 synthetic issues, full + no-op"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "_build" / "bench", help="where results go"
    )
    parser.add_argument(
        "--workdir", type=Path, help="build here and keep it (default: a temporary directory)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each scenario this many times, in rounds of every scenario, and keep the median",
    )
    parser.add_argument(
        "--repeat-up-to",
        type=int,
        default=500,
        metavar="ISSUES",
        help="repeat only on corpora of at most this many issues (default: 500)",
    )
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = [20] if args.quick else [200, 2000]
    if args.corpus is None:
        args.corpus = not args.quick
    if args.scenarios is None:
        args.scenarios = QUICK_SCENARIOS if args.quick else SCENARIOS
    return args


def _repeat(args: argparse.Namespace, issues: int) -> int:
    return max(1, args.repeat) if issues <= args.repeat_up_to else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    compiled = compile_package()
    load_before = _load()
    reference_before = reference_seconds()
    scenarios = args.scenarios
    if args.workdir is not None and args.workdir.exists() and any(args.workdir.iterdir()):
        raise SystemExit(f"bench: --workdir {args.workdir} is not empty")
    with tempfile.TemporaryDirectory(prefix="roundup-bench-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results: list[CorpusResult] = []
        if args.corpus:
            if CORPUS.is_dir():
                issues = corpus_issues(work / "sources" / "corpus")
                count = len(list(issues.glob("*.md")))
                results.append(
                    run_corpus(
                        "corpus",
                        issues,
                        work,
                        scenarios,
                        args.jobs,
                        args.seed,
                        _repeat(args, count),
                        args.hash_seeds,
                    )
                )
            else:
                _say(f"bench: skipping the real corpus: {CORPUS} not found (needs ../shared)")
        for size in args.sizes:
            name = f"synthetic-{size}"
            issues = synthetic_issues(work / "sources" / name, size, args.seed)
            results.append(
                run_corpus(
                    name,
                    issues,
                    work,
                    scenarios,
                    args.jobs,
                    args.seed,
                    _repeat(args, size),
                    args.hash_seeds,
                )
            )
        targets = check_targets(results, args.jobs)
        meta = _meta(args, load_before, reference_before, compiled)
    report = markdown_report(results, targets, meta)
    args.out.mkdir(parents=True, exist_ok=True)
    data = {
        "meta": meta,
        "corpora": [asdict(r) for r in results],
        "targets": [asdict(t) for t in targets],
    }
    _write(args.out / "results.json", json.dumps(data, indent=1) + "\n")
    _write(args.out / "results.md", report)
    print(report)
    for t in targets:
        rounds = f" ({t.rounds_within} rounds within the limit)" if t.rounds_within else ""
        print(f"{t.status:4}  {t.target} [{t.corpus}]{rounds}")
    _say(f"bench: results in {args.out / 'results.md'} and results.json")
    return 1 if args.strict and any(t.status == "FAIL" for t in targets) else 0


if __name__ == "__main__":
    sys.exit(main())
