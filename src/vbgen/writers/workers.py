"""The processes a build hands its documents to: they lay chapters out, keeping each until it
is numbered, and write Word files.

A build starts them first, so that they load WeasyPrint while the data is read. A chapter is
laid out by whichever process is free (:meth:`Pool.lay`) and numbered and written by the one
that holds it (:meth:`Pool.write`); a Word file by whichever is free (:meth:`Pool.docx`).
Where processes cannot be copied (not Linux, one core, a build that is itself one of several
at once, or a process running threads, such as the preview), the same work is done in this
process, in turn.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import traceback
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any

#: The most processes a build starts.
MOST = 4

Ticket = tuple[str, str]  # (task, key)
_Message = tuple[str, str, tuple[Any, ...]]


def may_fork() -> bool:
    """Whether this process may be copied to hand work to: only on Linux, where that is
    safe with the libraries loaded, while it runs no other thread, with more than one core,
    and when it is not itself a copy (a batch builds several folders at once)."""
    return (sys.platform == "linux" and threading.active_count() == 1
            and (os.cpu_count() or 1) > 1 and multiprocessing.parent_process() is None)


def _serve(conn: Connection) -> None:
    """A worker process: do each task sent, answer with its result or its error."""
    held: dict[str, Any] = {}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task, key, args = message
        try:
            result: Any = _do(task, key, args, held)
            conn.send(((task, key), result, None))
        except BaseException as exc:  # noqa: BLE001 - every error goes back to the build
            try:
                conn.send(((task, key), None, exc))
            except Exception:  # noqa: BLE001 - an error that cannot be pickled
                conn.send(((task, key), None, RuntimeError(traceback.format_exc())))


def _do(task: str, key: str, args: tuple[Any, ...], held: dict[str, Any]) -> Any:
    from . import layout

    if task == "warm":
        layout.warm()
        return None
    if task == "lay":
        laid, facts = layout.lay(*args)
        held[key] = laid
        return facts
    if task == "write":
        return layout.write(held.pop(key), *args)
    if task == "docx":
        from .docx import write_docx

        document, reference, pages = args
        return write_docx(document, reference, pages=pages)
    raise ValueError(task)


class _Process:
    def __init__(self, context: Any, warm: bool) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        #: Tasks only this process can do (numbering what it holds), in order.
        self.queue: deque[_Message] = deque([("warm", "", ())] if warm else [])
        self.busy: Ticket | None = None


class Pool:
    """``processes`` worker processes, or this process if 0; the first ``warm`` of them load
    WeasyPrint at once (all, by default), the others when they first lay a chapter out."""

    def __init__(self, processes: int, warm: int | None = None) -> None:
        context = multiprocessing.get_context("fork") if processes else None
        warm = processes if warm is None else warm
        self._processes = [_Process(context, n < warm) for n in range(processes)]
        #: Tasks any process may do, in order.
        self._shared: deque[_Message] = deque()
        self._holder: dict[str, _Process] = {}
        self._results: dict[Ticket, tuple[Any, BaseException | None]] = {}
        #: The chapters this process holds, when it does the work itself.
        self._held: dict[str, Any] = {}
        self._pump()

    @classmethod
    def start(cls, warm: int | None = None) -> Pool:
        """Processes for a build: one per core (at most :data:`MOST`), where allowed."""
        return cls(min(os.cpu_count() or 1, MOST) if may_fork() else 0, warm)

    @property
    def processes(self) -> int:
        return len(self._processes)

    def lay(self, key: str, *args: Any) -> Ticket:
        """Lay the chapter ``key`` out (:func:`~vbgen.writers.layout.lay`)."""
        return self._submit("lay", key, args)

    def write(self, key: str, *args: Any) -> Ticket:
        """Number and write the chapter ``key`` (:func:`~vbgen.writers.layout.write`), by the
        process that laid it out."""
        return self._submit("write", key, args)

    def docx(self, key: str, *args: Any) -> Ticket:
        """Write a Word file (:func:`~vbgen.writers.docx.write_docx`: document, reference
        document, page numbers)."""
        return self._submit("docx", key, args)

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
        self._pump()
        return task, key

    def _pump(self) -> None:
        """Give each idle process its next task."""
        for process in self._processes:
            if process.busy is not None:
                continue
            if process.queue:
                message = process.queue.popleft()
            elif self._shared:
                message = self._shared.popleft()
            else:
                continue
            task, key, _ = message
            if task == "lay":
                self._holder[key] = process
            process.conn.send(message)
            process.busy = (task, key)

    def wait(self, tickets: list[Ticket]) -> list[Any]:
        """The results of ``tickets``, in order, once all are done; an error is raised as
        soon as one of them fails."""
        while any(t not in self._results for t in tickets):
            busy = {p.conn: p for p in self._processes if p.busy is not None}
            if not busy:
                raise RuntimeError(f"ingen process arbetar med {tickets}")
            for conn in wait(list(busy)):
                process = busy[conn]
                try:
                    ticket, result, error = process.conn.recv()
                except (EOFError, OSError) as exc:
                    raise RuntimeError("en process som skrev PDF eller Word avslutades "
                                       "oväntat") from exc
                process.busy = None
                if error is not None and (ticket in tickets or ticket[0] == "warm"):
                    raise error
                if ticket[0] != "warm":
                    self._results[ticket] = (result, error)
            self._pump()
        done = [self._results.pop(t) for t in tickets]
        for _, error in done:
            if error is not None:
                raise error
        return [result for result, _ in done]

    def close(self) -> None:
        """Stop the processes; what they hold, or are still doing, is dropped."""
        for process in self._processes:
            if process.busy is None:
                try:
                    process.conn.send(None)
                except OSError:
                    process.process.kill()
            else:
                process.process.kill()
        for process in self._processes:
            process.process.join(timeout=5)
            if process.process.is_alive():
                process.process.kill()
                process.process.join()
            process.conn.close()
        self._processes = []
        self._held.clear()

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
