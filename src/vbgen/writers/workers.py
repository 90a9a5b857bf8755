"""The processes a build hands its documents to: they lay chapters out, keeping each until it
is numbered, write Word files, and draw charts.

A build starts one first, which loads WeasyPrint while the data is read, and the others are
copies of it once it has (so WeasyPrint is loaded once); the processes that draw charts are
started the same way, the first loading matplotlib. A chapter is laid out by whichever
process is free (:meth:`Pool.lay`) and numbered and written by the one that holds it
(:meth:`Pool.write`); a Word file by whichever is free (:meth:`Pool.docx`), or by a
process of its own, a copy of the build made once the documents are composed
(:meth:`Pool.word`). Where processes cannot be copied (not Linux, one core, a build that is
itself one of several at once, or a process running threads, such as the preview), the same
work is done in this process, in turn.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.reduction
import os
import signal
import socket
import sys
import threading
import traceback
from collections import deque
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

#: The most processes a build starts.
MOST = 4

Ticket = tuple[str, str]  # (task, key)
#: The tasks a first process starts with: their answers are no one's result.
_PREPARING = ("warm", "prepare")
_Message = tuple[str, str, tuple[Any, ...]]


def may_fork() -> bool:
    """Whether this process may be copied to hand work to: only on Linux, where that is
    safe with the libraries loaded, while it runs no other thread, with more than one core,
    and when it is not itself a copy (a batch builds several folders at once)."""
    return (sys.platform == "linux" and threading.active_count() == 1
            and (os.cpu_count() or 1) > 1 and multiprocessing.parent_process() is None)


def _serve(conn: Connection, theirs: Connection | None = None,
           temporary: Path | None = None) -> None:
    """A worker process: do each task sent, answer with its result or its error.

    ``theirs``, the build's end of the connection, copied into this process with it, is
    closed, so that the connection ends when the build does, however it ends. The
    temporary files this process and its copies make (WeasyPrint's fonts) go into
    ``temporary``, if given: the build's own folder, which it removes however the process
    ends, even stopped in the middle of a task.
    """
    if theirs is not None:
        theirs.close()
    if temporary is not None:
        import tempfile

        tempfile.tempdir = str(temporary)
    # Ctrl+C is for the build, which stops its workers; they say nothing of it themselves.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    held: dict[str, Any] = {}
    copies: list[int] = []
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            message = None
        if message is None:
            for pid in copies:  # they were sent the same word; wait for them to end
                os.waitpid(pid, 0)
            if "vbgen.writers.layout" in sys.modules:
                sys.modules["vbgen.writers.layout"].release()
            return
        task, key, args = message
        if task == "copy":
            copies.append(_copy(conn))
            continue
        try:
            result: Any = _do(task, key, args, held)
            conn.send(((task, key), result, None))
        except BaseException as exc:  # noqa: BLE001 - every error goes back to the build
            try:
                conn.send(((task, key), None, exc))
            except Exception:  # noqa: BLE001 - an error that cannot be pickled
                conn.send(((task, key), None, RuntimeError(traceback.format_exc())))


def _copy(conn: Connection) -> int:
    """Start a copy of this process, with what it has loaded, serving a connection of its
    own; send its process id, then the connection, to the build."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        ours.close()
        conn.close()
        try:
            _serve(Connection(theirs.detach()))
        finally:
            os._exit(0)
    theirs.close()
    conn.send((("copy", ""), pid, None))
    multiprocessing.reduction.send_handle(conn, ours.fileno(), os.getppid())
    ours.close()
    return pid


def _do(task: str, key: str, args: tuple[Any, ...], held: dict[str, Any]) -> Any:
    from . import layout

    if task == "warm":
        layout.warm(*args)
        return None
    if task == "prepare":
        import gc

        from .charts import prepare_drawing

        prepare_drawing(*args)
        # What is loaded now (matplotlib, its fonts) stays for the life of the process: the
        # collector need not look at it again. A full collection over it took as long as
        # drawing half a chart, and came every few charts.
        gc.freeze()
        return None
    if task == "draw":
        from .charts import draw_atomic

        draw_atomic(*args)
        return None
    if task == "lay":
        laid, facts = layout.lay(*args)
        held[key] = laid
        return facts
    if task == "measure":
        return layout.lay(*args)[1]
    if task == "write":
        return layout.write(held.pop(key), *args)
    if task == "docx":
        from .docx import write_docx

        document, reference, pages, stylesheet, overrides, into = args
        data = write_docx(document, reference, pages=pages, stylesheet=stylesheet,
                          overrides=overrides)
        if into is None:
            return data
        into.write_bytes(data)
        return into
    raise ValueError(task)


class _Process:
    """A worker process: this process's child, or a copy of the first worker."""

    def __init__(self, conn: Connection, pid: int, process: Any = None) -> None:
        self.conn = conn
        self.pid = pid
        #: The child process, if it is this process's own.
        self.process = process
        #: Tasks only this process can do (numbering what it holds), in order.
        self.queue: deque[_Message] = deque()
        #: The tasks sent and not yet answered, in order.
        self.sent: deque[Ticket] = deque()

    @classmethod
    def start(cls, temporary: Path | None = None) -> _Process:
        context = multiprocessing.get_context("fork")
        conn, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, conn, temporary), daemon=True)
        process.start()
        child.close()
        return cls(conn, process.pid or 0, process)

    def stop(self) -> None:
        if not self.sent:
            try:
                self.conn.send(None)
                return
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass

    def join(self) -> None:
        if self.process is not None:
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.conn.close()


class Pool:
    """``processes`` worker processes, or this process if 0: the first begins with the task
    ``first`` (loading WeasyPrint or matplotlib, see :meth:`start` and :meth:`drawing`), the
    others are copies of it made once it has; their temporary files go into ``temporary``
    (see :func:`_serve`). With ``ahead``, every task is sent as it is given (see
    :meth:`word`)."""

    def __init__(self, processes: int, first: _Message | None = None,
                 temporary: Path | None = None, ahead: bool = False) -> None:
        self._processes = [_Process.start(temporary)] if processes else []
        for process in self._processes:
            process.queue.extend(([first] if first else [])
                                 + [("copy", "", ())] * (processes - 1))
        #: Tasks any process may do, in order.
        self._shared: deque[_Message] = deque()
        self._holder: dict[str, _Process] = {}
        self._results: dict[Ticket, tuple[Any, BaseException | None]] = {}
        #: The chapters this process holds, when it does the work itself.
        self._held: dict[str, Any] = {}
        #: Whether every task is sent at once, not one to each idle process (see :meth:`word`).
        self._ahead = ahead
        self._pump()

    @classmethod
    def start(cls, stylesheet: Path | None = None, temporary: Path | None = None) -> Pool:
        """Processes for a build: one per core (at most :data:`MOST`), where allowed, their
        temporary files in the folder ``temporary`` (see :func:`_serve`), if given."""
        return cls(min(os.cpu_count() or 1, MOST) if may_fork() else 0,
                   ("warm", "", (stylesheet,)), temporary)

    @classmethod
    def drawing(cls, processes: int, folder: Path | None = None) -> Pool:
        """``processes`` processes to draw charts (into ``folder``, if known), where
        allowed: the first loads what drawing needs
        (:func:`~vbgen.writers.charts.prepare_drawing`), the others are copies of it, so
        matplotlib is loaded once."""
        return cls(min(os.cpu_count() or 1, processes) if may_fork() else 0,
                   ("prepare", "", (folder,)), folder)

    @classmethod
    def word(cls) -> Pool:
        """One process to write Word files, where allowed: a copy of this one made now,
        with what it has loaded and made (the documents), so it starts at once. Each task
        is sent to it as it is given, so that it goes from one file to the next while this
        process is busy elsewhere: have it write each file into a folder (``into``), since
        it would wait to hand over an answer larger than the connection holds until this
        process takes it."""
        return cls(1 if may_fork() else 0, ahead=True)

    def draw(self, key: str, *args: Any) -> Ticket:
        """Draw a chart's files (:func:`~vbgen.writers.charts.draw_atomic`)."""
        return self._submit("draw", key, args)

    def lay(self, key: str, *args: Any) -> Ticket:
        """Lay the chapter ``key`` out (:func:`~vbgen.writers.layout.lay`)."""
        return self._submit("lay", key, args)

    def measure(self, key: str, *args: Any) -> Ticket:
        """Lay the chapter ``key`` out for its facts alone; nothing is kept."""
        return self._submit("measure", key, args)

    def write(self, key: str, *args: Any) -> Ticket:
        """Number and write the chapter ``key`` (:func:`~vbgen.writers.layout.write`), by the
        process that laid it out."""
        return self._submit("write", key, args)

    def docx(self, key: str, document: Any, reference: Path, pages: dict[str, int],
             stylesheet: Path, overrides: dict[str, str] | None = None,
             into: Path | None = None) -> Ticket:
        """Write a Word file (:func:`~vbgen.writers.docx.write_docx`: document, reference
        document, page numbers, the style sheet whose identity it follows and, if given, the
        tokens set over it); its bytes are the answer, or, given ``into``, written there and
        the answer is that path."""
        return self._submit("docx", key, (document, reference, pages, stylesheet, overrides,
                                          into))

    def _submit(self, task: str, key: str, args: tuple[Any, ...]) -> Ticket:
        if not self._processes:
            try:
                self._results[(task, key)] = (_do(task, key, args, self._held), None)
            except Exception as exc:  # noqa: BLE001 - raised by wait(), as from a process
                self._results[(task, key)] = (None, exc)
            return task, key
        if task == "write":
            self._holder.pop(key).queue.append((task, key, args))
        else:
            self._shared.append((task, key, args))
        # What is done by now is taken, so that a process that has finished its work is
        # given more before the build next waits.
        self._receive([], 0)
        return task, key

    def _pump(self) -> None:
        """Give each idle process its next task; with :attr:`_ahead`, every task at once."""
        for process in self._processes:
            while not process.sent or self._ahead:
                if process.queue:
                    message = process.queue.popleft()
                elif self._shared:
                    message = self._shared.popleft()
                else:
                    break
                task, key, _ = message
                if task == "lay":
                    self._holder[key] = process
                process.conn.send(message)
                process.sent.append((task, key))

    def wait(self, tickets: list[Ticket]) -> list[Any]:
        """The results of ``tickets``, in order, once all are done; an error is raised as
        soon as one of them fails."""
        while any(t not in self._results for t in tickets):
            if not any(p.sent for p in self._processes):
                raise RuntimeError(f"ingen process arbetar med {tickets}")
            self._receive(tickets, None)
        done = [self._results.pop(t) for t in tickets]
        for _, error in done:
            if error is not None:
                raise error
        return [result for result, _ in done]

    def _receive(self, tickets: list[Ticket], timeout: float | None) -> None:
        """Take the answers the processes have sent (waiting up to ``timeout`` for one),
        and give the processes that answered their next task."""
        busy: dict[Any, _Process] = {p.conn: p for p in self._processes if p.sent}
        for conn in wait(list(busy), timeout):
            process = busy[conn]
            try:
                ticket, result, error = process.conn.recv()
            except (EOFError, OSError) as exc:
                raise RuntimeError("en process som skrev PDF eller Word avslutades "
                                   "oväntat") from exc
            process.sent.popleft()
            if ticket[0] == "copy":
                fd = multiprocessing.reduction.recv_handle(process.conn)
                self._processes.append(_Process(Connection(fd), result))
            elif error is not None and (ticket in tickets or ticket[0] in _PREPARING):
                raise error
            elif ticket[0] not in _PREPARING:
                self._results[ticket] = (result, error)
        self._pump()

    def close(self) -> None:
        """Stop the processes; what they hold, or are still doing, is dropped."""
        # The copies first: the first process waits for them to end.
        for process in reversed(self._processes):
            process.stop()
        for process in self._processes:
            process.join()
        self._processes = []
        self._held.clear()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
