"""``roundup-kb preview``: build the site, serve it, and build again when a source changes.

Most of a rebuild started from the shell is start-up: the interpreter, Sphinx, its
built-in extensions, MyST, the theme and roundup-kb are imported again each time
(0.66 s with ``sphinx-build`` after an edit of the corpus, 0.26 s in the preview:
docs/performance.md).  The preview imports all of them once, in a process that then
forks one child per build:
each child starts as a fresh ``sphinx-build`` would, with the modules already
loaded, runs Sphinx's own command line (``build_main``) and exits.  No build state
is kept between builds beyond what Sphinx keeps on disk, so a build in the preview
writes what ``sphinx-build`` writes.

What is imported ahead is what Sphinx would load: its built-in extensions, the
project's ``extensions`` and its HTML theme (``conf.py`` is read once for their
names; each build reads it again, so a change to it takes effect at the next build);
then, after each build, the modules the build imported that were not loaded yet
(extensions import most of their code only when Sphinx sets them up).
Python code inside the project (``ext/``, local extensions) that changes after it
was imported cannot be reloaded in place: the preview notices and starts itself
again.

The site is served on 127.0.0.1 by a separate process (forked before the imports,
so it stays small); every HTML page it serves asks it once a second how many builds
have finished, and reloads itself when that changes.  Sources are found by polling
the project's files (no file-watching library needed); the output directory,
hidden directories, ``__pycache__`` and the generated pages' sources (the build
writes them) are left out.
"""

from __future__ import annotations

import gc
import http.server
import importlib
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from roundup_kb.permalinks import GENERATED_DIRS

#: where a served page asks how many builds have finished (JSON ``{"build": n}``)
BUILD_PATH = "/_preview/build"

#: put before ``</body>`` of every HTML page served: reload when a build finishes
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null;function poll(){"
    f'fetch("{BUILD_PATH}",{{cache:"no-store"}})'
    ".then(function(r){return r.json()})"
    ".then(function(d){if(seen!==null&&d.build!==seen){location.reload()}seen=d.build})"
    ".catch(function(){}).finally(function(){setTimeout(poll,1000)})}poll()})();</script>"
).encode()

#: directory names never watched (besides hidden ones and the output directory)
SKIPPED_DIRS = frozenset({"__pycache__", "_build", "node_modules"})

Snapshot = dict[str, tuple[int, int]]


# ------------------------------------------------------------------------- watching


def snapshot(root: Path, skip: Iterable[Path] = ()) -> Snapshot:
    """Every file under ``root`` with its modification time and size, but those in
    hidden directories, :data:`SKIPPED_DIRS` and the directories in ``skip``."""
    skipped = {os.path.normpath(p) for p in skip}
    files: Snapshot = {}
    stack = [os.fspath(root)]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:  # removed while we looked
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    name = entry.name
                    if name.startswith(".") or name in SKIPPED_DIRS:
                        continue
                    if os.path.normpath(entry.path) not in skipped:
                        stack.append(entry.path)
                elif entry.is_file():
                    stat = entry.stat()
                    files[entry.path] = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                continue
    return files


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """The files added, removed or modified between two snapshots, sorted."""
    return sorted(
        {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    )


# -------------------------------------------------------------------------- building


@dataclass(frozen=True)
class BuildResult:
    returncode: int
    #: wall-clock seconds from the fork to the child's exit
    seconds: float
    #: the child's CPU time and peak resident set (with the processes it waited for)
    cpu_seconds: float
    peak_mib: float
    #: what it read from disk, not from the page cache (MiB; ``ru_inblock``)
    read_mib: float


def _theme_module(name: str) -> str | None:
    """The module that provides the HTML theme ``name`` (an installed theme's entry point)."""
    from importlib.metadata import entry_points

    for point in entry_points(group="sphinx.html_themes"):
        if point.name == name:
            return point.module
    return None


class WarmBuilder:
    """Builds of one project, each in a child forked from a process that has imported
    Sphinx and the project's extensions (:meth:`warm`)."""

    def __init__(
        self,
        srcdir: Path,
        outdir: Path,
        *,
        builder: str = "html",
        jobs: int = 1,
        quiet: bool = True,
    ):
        self.srcdir = Path(srcdir).resolve()
        self.outdir = Path(outdir).resolve()
        self.argv = ["-b", builder, str(self.srcdir), str(self.outdir)]
        if quiet:
            self.argv.insert(0, "-q")
        if jobs > 1:
            self.argv[:0] = ["-j", str(jobs)]
        #: modules :meth:`warm` could not import, with the error (a build will say more)
        self.failed: dict[str, str] = {}
        self._local: dict[str, int] = {}
        self._unimportable: set[str] = set()

    # -- warming up

    def extension_names(self) -> list[str]:
        """What a build of the project loads: Sphinx's built-in extensions, then the
        project's ``extensions`` and its HTML theme's module, from its ``conf.py``.

        ``conf.py`` may change the garbage collector's settings (the project's does,
        for the length of a build); they are put back after reading it.
        """
        from sphinx.application import builtin_extensions
        from sphinx.config import Config
        from sphinx.util.tags import Tags

        names = list(builtin_extensions)
        enabled, thresholds = gc.isenabled(), gc.get_threshold()
        try:
            config = Config.read(self.srcdir, overrides={}, tags=Tags())
        except Exception as exc:  # the build will report it, with Sphinx's message
            self.failed["conf.py"] = f"{type(exc).__name__}: {exc}"
            return names
        finally:
            gc.set_threshold(*thresholds)
            (gc.enable if enabled else gc.disable)()
        names += [name for name in config.extensions if isinstance(name, str)]
        # ``html_theme`` is the HTML builder's setting, not yet registered: read it
        # from what conf.py set (an unknown theme is the build's error to report)
        name = getattr(config, "_raw_config", {}).get("html_theme")
        theme = _theme_module(name) if isinstance(name, str) else None
        if theme:
            names.append(theme)
        return list(dict.fromkeys(names))

    def warm(self) -> list[str]:
        """Import Sphinx's command line and every module of :meth:`extension_names`;
        return the names imported.  A module that fails to import is left to the build,
        which reports the error as Sphinx does (:attr:`failed` keeps it)."""
        import sphinx.cmd.build  # noqa: F401

        imported = []
        for name in self.extension_names():
            try:
                importlib.import_module(name)
            except Exception as exc:
                self.failed[name] = f"{type(exc).__name__}: {exc}"
            else:
                imported.append(name)
        self._local = self._local_modules()
        # what is imported now lives as long as this process: out of the collector's
        # sight, so the children's collections leave these memory pages shared
        gc.freeze()
        return imported

    def _local_modules(self) -> dict[str, int]:
        """Modules imported from inside the project, with their files' modification times."""
        local = {}
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if not path:
                continue
            resolved = os.path.realpath(path)
            if resolved.startswith(str(self.srcdir) + os.sep):
                try:
                    local[resolved] = os.stat(resolved).st_mtime_ns
                except OSError:
                    continue
        return local

    def stale_modules(self) -> list[str]:
        """Files of modules imported from the project that changed or went away since
        :meth:`warm`: the imported code is no longer what the files say."""
        stale = []
        for path, mtime in self._local.items():
            try:
                if os.stat(path).st_mtime_ns != mtime:
                    stale.append(path)
            except OSError:
                stale.append(path)
        return sorted(stale)

    # -- building

    def build(self) -> BuildResult:
        """One build, as ``sphinx-build`` would run it, in a child of this process.

        The child tells this process which modules the build imported that this one
        had not (extensions import most of theirs only when Sphinx sets them up);
        they are imported here after the build, so the next build finds them loaded.
        """
        start = time.perf_counter()
        known = set(sys.modules)
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: run Sphinx's command line, then leave without cleanup
            code = 2
            try:
                os.close(read_end)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as sphinx-build has it
                from sphinx.cmd.build import build_main

                code = build_main(self.argv)
            except BaseException:
                traceback.print_exc()
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    new = "\n".join(name for name in list(sys.modules) if name not in known)
                    with os.fdopen(write_end, "wb") as report:
                        report.write(new.encode())
                finally:
                    os._exit(code)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as report:  # read before waiting: a pipe fills up
            imported = report.read().decode().split()
        _, status, usage = os.wait4(pid, 0)
        result = BuildResult(
            os.waitstatus_to_exitcode(status),
            time.perf_counter() - start,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            peak_mib=usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 1024),
            read_mib=usage.ru_inblock * 512 / 2**20,
        )
        self.learn(imported)
        return result

    def learn(self, names: Iterable[str]) -> list[str]:
        """Import the modules ``names`` (what a build imported) that this process lacks;
        return those imported.  One that fails is not tried again; ``__main__``
        modules (which run a program when imported) are never tried."""
        done = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the build showed them already
            for name in names:
                if name in sys.modules or name in self._unimportable:
                    continue
                if name == "__main__" or name.endswith(".__main__"):
                    continue
                try:
                    importlib.import_module(name)
                except (Exception, SystemExit):  # a module that exits must not stop the preview
                    self._unimportable.add(name)
                else:
                    done.append(name)
        if done:
            self._local = self._local_modules()
            gc.freeze()
        return done


# --------------------------------------------------------------------------- serving


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Files of the output directory; HTML pages get :data:`RELOAD_SCRIPT`."""

    builds: multiprocessing.sharedctypes.Synchronized  # set by :func:`make_server`

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == BUILD_PATH:
            self._send(200, "application/json", json.dumps({"build": self.builds.value}).encode())
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            try:
                body = path.read_bytes()
            except OSError:
                self.send_error(404, "File not found")
                return
            at = body.rfind(b"</body>")
            body = body[:at] + RELOAD_SCRIPT + body[at:] if at >= 0 else body + RELOAD_SCRIPT
            self._send(200, "text/html; charset=utf-8", body)
            return
        super().do_GET()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        pass  # one line per request would bury the builds' messages


def make_server(
    outdir: Path, host: str, port: int
) -> tuple[http.server.ThreadingHTTPServer, multiprocessing.sharedctypes.Synchronized]:
    """A server of ``outdir`` bound to ``host:port`` (0: any free port), and its count
    of finished builds, shared with the processes forked after this."""
    builds = multiprocessing.Value("i", 0)
    handler = type("Handler", (_Handler,), {"builds": builds})
    server = http.server.ThreadingHTTPServer(
        (host, port), partial(handler, directory=os.fspath(outdir))
    )
    server.daemon_threads = True
    return server, builds


def _serve(server: http.server.ThreadingHTTPServer, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the preview; it stops this

    def orphaned() -> None:  # the preview was killed without stopping this process
        while os.getppid() == parent:
            time.sleep(1)
        server.shutdown()

    threading.Thread(target=orphaned, daemon=True).start()
    server.serve_forever()


def serve_in_process(server: http.server.ThreadingHTTPServer) -> multiprocessing.Process:
    """Serve from a forked process (started before any build: no threads in this one)."""
    process = multiprocessing.get_context("fork").Process(
        target=_serve, args=(server, os.getpid()), name="roundup-kb preview server", daemon=True
    )
    process.start()
    server.socket.close()  # the child has its own copy; this process never accepts
    return process


# --------------------------------------------------------------------------- the loop


def describe(paths: Sequence[str], root: Path, limit: int = 3) -> str:
    """A short list of changed files, relative to ``root``."""
    shown = [os.path.relpath(path, root) for path in paths[:limit]]
    more = len(paths) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def watch_and_build(
    builder: WarmBuilder,
    *,
    interval: float = 0.5,
    on_build: Callable[[BuildResult, list[str]], None],
    restart: Callable[[list[str]], None],
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Build once, then again each time the project's files change, until ``stop()``.

    Changes arriving during a build are picked up by the next one; a change is built
    once it has been still for one ``interval`` (an editor saving several files).
    When the project's own Python code changed, ``restart`` is called instead.
    """
    skip = [builder.outdir, *(builder.srcdir / name for name in GENERATED_DIRS)]
    before = snapshot(builder.srcdir, skip)
    on_build(builder.build(), [])
    while not stop():
        time.sleep(interval)
        now = snapshot(builder.srcdir, skip)
        changed = changes(before, now)
        if not changed:
            continue
        while True:  # wait for the changes to settle
            time.sleep(interval)
            later = snapshot(builder.srcdir, skip)
            if later == now:
                break
            now = later
        changed = changes(before, now)
        before = now
        stale = builder.stale_modules()
        if stale:
            restart(stale)
            return
        on_build(builder.build(), changed)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class Preview:
    """``roundup-kb preview``: serve ``outdir`` (unless ``serve`` is false), build
    ``srcdir`` into it, and build again on every change until interrupted."""

    def __init__(
        self,
        srcdir: Path,
        outdir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        jobs: int = 1,
        interval: float = 0.5,
        serve: bool = True,
        say: Callable[[str], None] | None = None,
        restart: Callable[[], None] | None = None,
        stop: Callable[[], bool] = lambda: False,
    ):
        self.builder = WarmBuilder(srcdir, outdir, jobs=jobs)
        self.host, self.port, self.interval, self.serve = host, port, interval, serve
        self.say = say or (lambda message: print(message, file=sys.stderr, flush=True))
        self._restart = restart or self._exec_again
        self._stop = stop
        self.builds = None
        self.server_process: multiprocessing.Process | None = None
        #: the address served, once :meth:`run` has bound it
        self.url: str | None = None

    def run(self) -> int:
        """Serve, build, watch; the exit status (1 when the port cannot be had)."""
        outdir = self.builder.outdir
        if self.serve:
            try:
                server, self.builds = make_server(outdir, self.host, self.port)
            except OSError as exc:
                self.say(
                    f"roundup-kb preview: cannot serve on {self.host}:{self.port} "
                    f"({exc.strerror or exc}); pass another --port (0 picks a free one)"
                )
                return 1
            host, port = server.server_address[:2]
            self.url = f"http://{host}:{port}/"
            outdir.mkdir(parents=True, exist_ok=True)
            self.server_process = serve_in_process(server)
        terminate = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _interrupt)  # stopped like Ctrl-C: the server too
        try:
            start = time.perf_counter()
            imported = self.builder.warm()
            self.say(
                f"imported Sphinx and {len(imported)} extensions in "
                f"{time.perf_counter() - start:.1f} s; building"
            )
            for name, error in self.builder.failed.items():
                self.say(f"could not import {name} ahead of the builds: {error}")
            if self.url:
                self.say(f"serving {outdir} on {self.url} (Ctrl-C stops)")
            watch_and_build(
                self.builder,
                interval=self.interval,
                on_build=self._built,
                restart=self._stale,
                stop=self._stop,
            )
        except KeyboardInterrupt:
            self.say("stopped")
        finally:
            signal.signal(signal.SIGTERM, terminate)
            self.close()
        return 0

    def close(self) -> None:
        if self.server_process is not None:
            self.server_process.terminate()
            self.server_process.join(5)
            self.server_process = None

    def _built(self, result: BuildResult, changed: list[str]) -> None:
        why = f" after {describe(changed, self.builder.srcdir)} changed" if changed else ""
        if result.returncode == 0:
            if self.builds is not None:
                with self.builds.get_lock():
                    self.builds.value += 1
            self.say(f"built in {result.seconds:.2f} s{why}")
        else:
            self.say(
                f"build failed{why} (exit status {result.returncode}, {result.seconds:.2f} s): "
                "see Sphinx's messages above; the pages served are what was written before "
                "it stopped; save a fix to build again"
            )

    def _stale(self, stale: list[str]) -> None:
        self.say(
            f"{describe(stale, self.builder.srcdir)} changed since it was imported; "
            "starting the preview again"
        )
        self.close()
        self._restart()

    @staticmethod
    def _exec_again() -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
