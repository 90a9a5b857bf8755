"""Build the nämnder of a batch on a Dask cluster: ``vbgen bygg KOMMUNMAPP --kluster ADRESS``.

Each nämnd is one task (:func:`task`) that builds it on a worker with the same job as the
local batch, :func:`vbgen.commands.batch.build_one`, and returns its ``Outcome``; so the summary is
the same, and a nämnd with bad data fails alone. Dask runs a task again on another worker
when its worker dies (as when it runs out of memory) and gives up once a task has taken
down ``distributed.scheduler.allowed-failures`` workers (3 unless the cluster says
otherwise). A build past its time limit ends its worker, as Dask's nanny ends a worker past
its memory limit: a build cannot be stopped otherwise, and the nanny starts the worker
again.

The workers read the data folders and write the output folder at the same paths as this
machine (a shared disk), so paths are made absolute before they are sent. Dask is an
optional dependency (``pip install "vbgen[kluster]"``), imported only here.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .. import fmt
from ..build import Options
from .batch import TIME_LIMIT, Job, Outcome, build_one

#: How long to wait for the cluster's scheduler to answer, in seconds.
CONNECT_TIMEOUT = 10

#: One build at a time in a worker process, whatever its number of threads: what a build
#: sets up (fonts, chart drawing) is the process's own.
_ONE_AT_A_TIME = threading.Lock()


class ClusterError(Exception):
    """The cluster cannot be used; the message says why, in Swedish."""


def _overrun(job: Job, limit: float) -> None:
    """End this worker: its build of ``job`` has run past its time limit."""
    logging.getLogger("vbgen").error(
        "vbgen: bygget av %s tog mer än %s s; arbetaren stoppas", job.folder, limit)
    os._exit(1)


def task(job: Job, options: Options, time_limit: float) -> Outcome:
    """Build one nämnd on a worker: the task sent to the cluster."""
    with _ONE_AT_A_TIME:
        watchdog = threading.Timer(time_limit, _overrun, (job, time_limit))
        watchdog.daemon = True
        watchdog.start()
        try:
            return build_one(job.folder, replace(options, out=options.out / job.name),
                             job.name)
        finally:
            watchdog.cancel()


def _absolute(options: Options) -> Options:
    """``options`` with every folder absolute, as a worker elsewhere must find it."""
    def whole(path: Path | None) -> Path | None:
        return path.resolve() if path is not None else None

    return replace(options, out=options.out.resolve(), templates=whole(options.templates),
                   styles=whole(options.styles))


def _lost(job: Job, message: str, since: float) -> Outcome:
    return Outcome(job.name, str(job.folder), errors=1, message=message, headline=message,
                   seconds=time.monotonic() - since)


def build_on_cluster(jobs: list[Job], options: Options, address: str,
                     done: Callable[[Outcome], None] | None = None,
                     time_limit: float = TIME_LIMIT) -> list[Outcome]:
    """Build every job on the Dask cluster whose scheduler is at ``address``; return the
    outcomes in the jobs' order, calling ``done`` with each as soon as it is there."""
    try:
        from distributed import Client, as_completed
        from distributed.comm.addressing import parse_address, parse_host_port
        from distributed.scheduler import KilledWorker
    except ImportError:
        raise ClusterError('--kluster behöver Dask: installera vbgen med '
                           'pip install "vbgen[kluster]"') from None
    try:
        parse_host_port(parse_address(address)[1])
    except ValueError:
        # Said here: a client made of such an address waits a minute before it fails.
        raise ClusterError(f'"{address}" är ingen adress till en Dask-schemaläggare; skriv '
                           "till exempel tcp://server:8786") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"kan inte nå Dask-klustret på {address} ({exc}); kontrollera "
                           "adressen och att schemaläggaren är igång") from None
    sent = _absolute(options)
    batch = uuid.uuid4().hex[:8]
    since = time.monotonic()
    outcomes: dict[Job, Outcome] = {}
    try:
        futures = {client.submit(task, replace(job, folder=job.folder.resolve()), sent,
                                 time_limit, key=f"vbgen-{job.name}-{batch}", pure=False): job
                   for job in jobs}
        for future in as_completed(futures, loop=client.loop):
            job = futures[future]
            try:
                outcome = replace(future.result(), folder=str(job.folder))
            except KilledWorker:
                outcome = _lost(job, "bygget avbröts på klustret: varje arbetare som byggde "
                                     "nämnden stoppades innan den var klar (tog bygget mer "
                                     f"än {fmt.number(time_limit)} s, eller tog minnet slut?)",
                                since)
            except Exception as exc:  # noqa: BLE001 - one nämnd's fault must not stop the others
                outcome = _lost(job, "oväntat fel på klustret: "
                                     f"{type(exc).__name__}: {exc}", since)
            outcomes[job] = outcome
            if done is not None:
                done(outcome)
    finally:
        client.close()
    return [outcomes[job] for job in jobs]
