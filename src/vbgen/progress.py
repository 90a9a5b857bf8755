"""What a long build is doing, on one line of the terminal that is rewritten as it goes.

A build says which phase it begins with :func:`phase` ("lägger ut verksamhetsberättelsen
som PDF"); whoever shows progress listens (:func:`listening`). The :class:`Display` shows
the line only on a terminal and only once a second has passed, so that a quick build, a
build whose output goes to a file or another program, and the tests, see nothing of it. It
is drawn when something happens, never from another thread: a build copies its process to
hand work to, which must not happen while a thread is running.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

_listeners: list[Callable[[str], None]] = []


def phase(what: str) -> None:
    """Say that the build now does ``what``, to whoever listens."""
    for listener in _listeners:
        listener(what)


@contextlib.contextmanager
def listening(listener: Callable[[str], None]) -> Iterator[None]:
    """Hand each phase to ``listener`` while inside."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def duration(seconds: float) -> str:
    """A time as the display shows it: "4,2 s", "2 min 5 s"."""
    if seconds < 60:
        return f"{seconds:.1f} s".replace(".", ",")
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


#: Go to the start of the line and clear it.
_CLEAR = "\r\x1b[K"


class Display:
    """One line on a terminal saying what is going on, with the time since the start;
    nothing at all where ``stream`` (standard error by default) is not a terminal."""

    def __init__(self, stream: TextIO | None = None, delay: float = 1.0) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.delay = delay
        self.started = time.monotonic()
        self.text = ""
        self.shown = False

    def show(self, text: str) -> None:
        """Show ``text`` as what is going on now."""
        self.text = text
        self.draw()

    def draw(self) -> None:
        """Draw the line again, with the time as it is now."""
        elapsed = time.monotonic() - self.started
        if not self.live or not self.text or elapsed < self.delay:
            return
        line = f"{self.text} ({duration(elapsed)})"
        width = shutil.get_terminal_size().columns - 1
        if len(line) > width:  # one line only, or the next draw leaves the rest behind
            line = line[:max(width - 1, 0)] + "…"
        self.stream.write(_CLEAR + line)
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Take the line away, so that what is written next stands alone."""
        if self.shown:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self.shown = False

    def above(self, write: Callable[[], None]) -> None:
        """Write something (``write``) on a line of its own, the progress line below it."""
        self.clear()
        write()
        sys.stdout.flush()
        self.draw()
