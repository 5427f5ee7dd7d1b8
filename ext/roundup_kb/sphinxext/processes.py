"""Work a build hands to a forked process while it goes on.

:class:`Helper` forks a process that starts from what the build holds at the fork
(no pickling of the environment), can be sent messages later (the rest of its
input), and reports as the processes of Sphinx's ``ParallelTasks`` do: its log
records are replayed in the build's process and an error in it fails the build.
Sphinx's ``ParallelTasks`` cannot take input after the fork, which the search index
needs (:mod:`roundup_kb.sphinxext.searchindex`): the pages it must feed are known
only once they are written; and it looks for finished processes every 20 ms, where
:meth:`Helper.join` waits on the report.  The data files
(:mod:`roundup_kb.sphinxext.datafiles`) use it too.

The build sends messages as it goes, and must not wait while the helper is busy
with something else: a pipe holds 64 KiB, less than the words of one topic page.
So a thread of the helper reads each message as it comes (the read waits outside
Python's lock) and keeps it until the work asks for it.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import traceback
from collections.abc import Callable
from multiprocessing.reduction import ForkingPickler
from typing import Any

from sphinx.errors import SphinxParallelError
from sphinx.util import logging
from sphinx.util.parallel import parallel_available

logger = logging.getLogger(__name__)

#: what a helper's work calls for its next message: the message, or None when the build
#: will send no more (it closed the pipe: it ended, or failed)
Receive = Callable[[], Any]


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def helpers_available() -> bool:
    """Whether a helper process can be forked here and may run beside this one."""
    return parallel_available and usable_cpus() > 1


class Helper:
    """One forked process running ``work(receive)``; see the module's docstring.

    ``what`` names the work in errors.  The work may wait for messages the build
    gives :meth:`send`; then the build calls :meth:`join` (it succeeded) or
    :meth:`abandon` (it failed), which tell it no more will come.
    """

    def __init__(self, work: Callable[[Receive], None], what: str) -> None:
        self.what = what
        context = multiprocessing.get_context("fork")
        self._inbox, self._outbox = context.Pipe(duplex=False)
        self._reports, self._report = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(work,), daemon=True)
        self._process.start()
        self._inbox.close()
        self._report.close()

    # -- in the helper ---------------------------------------------------------------

    def _read_messages(self) -> None:
        """The reading thread: each message's bytes, as they come; None at the end."""
        while True:
            try:
                self._received.put(self._inbox.recv_bytes())
            except (EOFError, OSError):  # the build closed the pipe
                self._received.put(None)
                return

    def _receive(self) -> Any:
        message = self._received.get()
        return None if message is None else ForkingPickler.loads(message)

    def _run(self, work: Callable[[Receive], None]) -> None:
        self._outbox.close()
        self._reports.close()
        self._received: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        threading.Thread(target=self._read_messages, daemon=True).start()
        collector = logging.LogCollector()
        try:
            with collector.collect():
                work(self._receive)
            failed, result = False, None
        except BaseException as err:  # reported to the build, as ParallelTasks does
            failed = True
            message = traceback.format_exception_only(err.__class__, err)[0].strip()
            result = (message, traceback.format_exc())
        logging.convert_serializable(collector.logs)
        self._report.send((failed, collector.logs, result))

    # -- in the build ----------------------------------------------------------------

    def send(self, message: Any) -> None:
        """Hand the helper more of its input.  A helper that has ended (its work failed
        or is done) takes no more: what it reports is raised by :meth:`join`."""
        if self._outbox.closed:
            return
        try:
            self._outbox.send(message)
        except (BrokenPipeError, ConnectionResetError):
            self._outbox.close()

    def join(self) -> None:
        """Wait for the helper's report; replay its log records; raise its error, if any.

        The report is the helper's last act, after its last write, so the build goes
        on without waiting for the process to exit (the kernel freeing a copy of the
        build's memory: 5 to 8 ms of an edit of the corpus); ``multiprocessing`` reaps
        it when the next process starts or this one exits."""
        if not self._outbox.closed:
            self._outbox.close()
        try:
            failed, logs, result = self._reports.recv()
        except EOFError:
            self._process.join()
            raise SphinxParallelError(
                f"the {self.what} process ended without a report "
                f"(exit code {self._process.exitcode})",
                "",
            ) from None
        finally:
            self._reports.close()
        for record in logs:
            logger.handle(record)
        if failed:
            raise SphinxParallelError(*result)

    def abandon(self) -> None:
        """The build failed: tell the helper (its message will not come) and wait for
        it, so that it is not stopped halfway through a file; its errors are not
        reported over the build's."""
        if not self._outbox.closed:
            self._outbox.close()
        try:
            self._reports.recv()  # read, or a long report would block the helper
        except EOFError:
            pass
        finally:
            self._reports.close()
        self._process.join()
