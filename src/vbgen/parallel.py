"""Run work in a forked child process while this one goes on, to use a second core.

A child is forked, not spawned: it starts at once with everything this process has loaded
and built (the document model, say), and only its result travels back, pickled through a
pipe. Where fork is missing or unsafe (another thread is running), the work is done here
instead when its result is asked for; the result is the same either way.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from types import TracebackType
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


class Worker:
    """A forked process that gets ready (imports what a job needs) while this one goes on,
    then runs the one job it is given: :meth:`submit` sends it, :meth:`close` ends it.

    The job travels pickled, so it must be a module-level function (or a partial of one)
    with picklable arguments. Without fork, :meth:`submit` runs the job here.
    """

    def __init__(self, prepare: Callable[[], object]) -> None:
        self.pid = 0
        if not can_fork():
            return
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        _widen(jobs_write)
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.close(jobs_write)
                os.close(results_read)
                try:
                    prepare()
                except BaseException:  # noqa: B036 - the job itself will fail and be redone
                    pass
                with os.fdopen(jobs_read, "rb") as pipe:
                    job = pipe.read()
                if job:
                    try:
                        data = pickle.dumps((True, pickle.loads(job)()),
                                            protocol=pickle.HIGHEST_PROTOCOL)
                    except BaseException:  # noqa: B036 - the parent redoes it and reports
                        data = pickle.dumps((False, None))
                    with os.fdopen(results_write, "wb") as pipe:
                        pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(jobs_read)
        os.close(results_write)
        self.pid, self.jobs, self.results = pid, jobs_write, results_read

    def submit(self, job: Callable[[], T]) -> Callable[[], T]:
        """Start ``job``; return a function that waits for its result."""
        if not self.pid or self.jobs < 0:
            return job
        try:
            data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return job
        try:
            with os.fdopen(self.jobs, "wb") as pipe:
                self.jobs = -1
                pipe.write(data)
        except OSError:  # the worker is gone; the job is done here instead
            return job

        def result() -> T:
            with os.fdopen(self.results, "rb") as pipe:
                self.results = -1
                answer = pipe.read()
            os.waitpid(self.pid, 0)
            self.pid = 0
            try:
                ok, value = pickle.loads(answer)
            except Exception:  # the worker died before it could answer
                ok, value = False, None
            return value if ok else job()

        return result

    def close(self) -> None:
        """End the worker: a job whose result was not asked for is stopped, not waited for
        (it writes nothing, so a build that failed reports at once)."""
        if not self.pid:
            return
        for fd in (self.jobs, self.results):
            if fd >= 0:
                os.close(fd)
        self.jobs = self.results = -1
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        self.pid = 0

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _widen(fd: int) -> None:
    """Let a pipe hold a whole document, so that sending one does not wait for the reader."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass  # the default size only makes the sender wait a little
