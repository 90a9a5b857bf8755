"""Run work in a forked child process while this one goes on, to use a second core.

A child is forked, not spawned: it starts at once with everything this process has loaded
and built (the document model, say), and only its result travels back, pickled through a
pipe. Where fork is missing or unsafe (another thread is running), the work is done here
instead when its result is asked for; the result is the same either way.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def cores() -> int:
    """How many cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def can_fork() -> bool:
    # Forking while another thread runs can leave a lock held forever in the child.
    return hasattr(os, "fork") and threading.active_count() == 1 and cores() > 1


class Child(Generic[T]):
    """``fn()`` computed in a forked child, or here on :meth:`result` if it cannot be."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self.fn = fn
        self.pid = 0
        self.fd = -1
        if not can_fork():
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running any exit hooks
            status = 1
            try:
                os.close(read)
                try:
                    data = pickle.dumps((True, fn()), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:  # noqa: B036 - the parent redoes the work and reports
                    data = pickle.dumps((False, None))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.pid, self.fd = pid, read

    def cancel(self) -> None:
        """Stop waiting for the result: the child finds nobody listening and ends."""
        if self.pid:
            os.close(self.fd)
            os.waitpid(self.pid, 0)
            self.pid = 0

    def result(self) -> T:
        """The result; a failure in the child is repeated here, to raise its real error."""
        if not self.pid:
            return self.fn()
        with os.fdopen(self.fd, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        self.pid = 0
        try:
            ok, value = pickle.loads(data)
        except Exception:  # the child died before it could answer
            ok, value = False, None
        return value if ok else self.fn()


def run_split(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run ``tasks`` on two cores: the first here, the rest in one forked child.

    Order the tasks with the longest first; their results come back in the same order.
    """
    if len(tasks) < 2 or not can_fork():
        return [task() for task in tasks]
    rest = Child(lambda: [task() for task in tasks[1:]])
    try:
        first = tasks[0]()
    except BaseException:
        rest.cancel()
        raise
    return [first, *rest.result()]
