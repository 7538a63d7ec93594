"""Run the worker's lanes: one Huey consumer per lane in one process, stopped together.

Work is split into lanes (decision 0015): one queue per lane on the same storage, each with
its own worker threads, so that a channel sending slowly never holds a thread another lane
needs. `Lanes` runs the consumers and gives all of them the signals of Huey's own consumer.
"""

import logging
import os
import signal
import sys
import threading
import time

from django.core.exceptions import ImproperlyConfigured
from huey.consumer import Consumer

logger = logging.getLogger("huey.consumer")


def lane_threads(setting: str, raw: str) -> dict[str, int]:
    """Read "general=2,sms=2" into {"general": 2, "sms": 2}; refuse anything else, naming
    the setting."""
    threads: dict[str, int] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        lane, _, count = (text.strip() for text in item.partition("="))
        if not lane.isidentifier() or not count.isdigit() or int(count) < 1:
            raise ImproperlyConfigured(
                f"{setting} must list lanes and their threads, like general=2,sms=2 "
                f"(each at least 1), not {item!r}."
            )
        threads[lane] = int(count)
    return threads


class LaneConsumer(Consumer):
    """A Huey consumer of one lane. It leaves the process's signals to `Lanes`, which stops
    every lane together."""

    def _set_signal_handlers(self) -> None:
        """Leave the signals alone: one handler for every lane is set by Lanes.run()."""


class Lanes:
    """Run one consumer per lane in this process, with Huey's signals for all of them.

    SIGINT stops every lane once the jobs running in it have finished (a second SIGINT stops
    at once); SIGTERM stops at once; SIGHUP finishes the running jobs, then starts the
    process again. A dead worker thread is replaced, as Huey's consumer does.
    """

    # signal: (restart, graceful), as in huey.consumer.Consumer.
    ACTIONS: dict[int, tuple[bool, bool]] = {
        signal.SIGINT: (False, True),
        signal.SIGTERM: (False, False),
        signal.SIGHUP: (True, True),
    }
    HEALTH_CHECK_SECONDS = 10.0

    def __init__(self, consumers: dict[str, Consumer]):
        self.consumers = consumers
        self._signum: int | None = None
        self._woken = threading.Event()

    def start(self) -> None:
        """Start every lane's scheduler and worker threads; return at once."""
        for lane, consumer in self.consumers.items():
            logger.info("Lane %s: %s thread(s).", lane, consumer.workers)
            consumer.start()

    def stop(self, graceful: bool) -> None:
        """Tell every lane to stop; when `graceful`, wait for the jobs they are running."""
        for consumer in self.consumers.values():
            consumer.stop_flag.set()
        if not graceful:
            return
        try:
            for consumer in self.consumers.values():
                for _worker, thread in consumer.worker_threads:
                    thread.join()
                consumer.scheduler.join()
        except KeyboardInterrupt:
            logger.info("Received a second SIGINT: stopping at once.")

    def run(self) -> None:
        """Run the lanes until a signal stops them (or restarts the process)."""
        self.start()
        for signum in self.ACTIONS:
            signal.signal(signum, self._handle_signal)
        next_check = time.monotonic() + self.HEALTH_CHECK_SECONDS
        while self._signum is None:
            self._woken.wait(0.1)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + self.HEALTH_CHECK_SECONDS
                for consumer in self.consumers.values():
                    consumer.check_worker_health()
        restart, graceful = self.ACTIONS[self._signum]
        logger.info("Received %s.", signal.Signals(self._signum).name)
        self.stop(graceful)
        for consumer in self.consumers.values():
            consumer.huey.notify_interrupted_tasks()
        if restart:
            logger.info("Worker will restart.")
            os.execl(sys.executable, sys.executable, *sys.argv)  # noqa: S606 (Huey's restart)
        logger.info("Worker exiting.")

    def _handle_signal(self, signum: int, frame: object) -> None:
        self._signum = signum
        self._woken.set()
        restart, graceful = self.ACTIONS[signum]
        if graceful and not restart:
            # A second SIGINT interrupts the wait for the running jobs.
            signal.signal(signum, signal.default_int_handler)
