"""Lanes: each channel's send jobs in a queue of its own, served by threads of its own.

A send job waits in the rate limiter (ratelimit.py) while it holds a worker thread, as it
must: a channel account takes only so many requests a second. When every job shared one
pool of threads, 200 SMS at 2 a second held all of them, and Signal, email, push and the
minute jobs waited behind the SMS (issue 14, item 5). So work goes in lanes (decision 0015):

general     Huey's own queue (TOCSIN_QUEUE_NAME): fan_out, the minute jobs, notices,
            joining codes, every job declared with @db_task or @db_periodic_task.
<kind>      one lane per channel registered in channels/ (email, push, signal, sms, and
            any channel added later), queue `<TOCSIN_QUEUE_NAME>-<kind>` on the same
            storage, carrying that channel's send_chunk jobs only.

`tocsin worker` runs a consumer per lane, each with its own threads (TOCSIN_WORKER_THREADS),
so a slow channel holds only its own lane. Priorities still order the jobs inside a lane.
"""

import threading

from django.conf import settings
from huey import Huey
from huey.api import TaskWrapper
from huey.contrib.djhuey import HUEY

from tocsin.core.consumers import LaneConsumer
from tocsin.core.queue import build_huey

from .channels import kinds

GENERAL = "general"

_lanes: dict[tuple[str, str, str], TaskWrapper] = {}
_building = threading.Lock()


def lanes() -> list[str]:
    """Return every lane: the general one first, then one per registered channel."""
    return [GENERAL, *kinds()]


def lane_for(channel: str) -> str:
    """Return the lane that sends a channel's chunks: its own, or the general lane for a
    kind no channel registers (where send_chunk fails those rows for good)."""
    return channel if channel in kinds() else GENERAL


def send_chunk_in(lane: str) -> TaskWrapper:
    """Return fanout.send_chunk as a task of the lane's queue.

    A channel's queue is built once, beside Huey's own (same TOCSIN_QUEUE_URL), and runs its
    jobs in the caller exactly when Huey's does (HUEY.immediate: the test settings,
    TOCSIN_QUEUE_IMMEDIATE, or a test that switches it).
    """
    from .fanout import send_chunk  # in the function: fanout.py imports this module

    if lane == GENERAL:
        return send_chunk
    key = (settings.TOCSIN_QUEUE_URL, HUEY.name, lane)
    with _building:
        task = _lanes.get(key)
        if task is None:
            # Nobody reads a send job's return value, so the lane keeps no results.
            queue = build_huey(
                settings.TOCSIN_QUEUE_URL,
                immediate=HUEY.immediate,
                name=f"{HUEY.name}-{lane}",
                results=False,
            )
            # The same function, retries and name (tocsin.delivery.fanout.send_chunk) as on
            # Huey's own queue, so a job enqueued there before an upgrade still runs.
            task = queue.task_wrapper_class(
                queue,
                send_chunk.func,
                context=send_chunk.context,
                name=send_chunk.name,
                **send_chunk.settings,
            )
            _lanes[key] = task
    task.huey.immediate = HUEY.immediate
    return task


def queue_of(lane: str) -> Huey:
    """Return the Huey queue of a lane."""
    return send_chunk_in(lane).huey


def queues() -> dict[str, Huey]:
    """Return every lane's queue, by lane."""
    return {lane: queue_of(lane) for lane in lanes()}


def enqueue_send_chunk(
    alert_id: int, channel: str, first_id: int, last_id: int, priority: int
) -> None:
    """Enqueue the job that sends deliveries first_id..last_id of an alert on one channel,
    in that channel's lane, at the alert's priority."""
    send_chunk_in(lane_for(channel))(alert_id, channel, first_id, last_id, priority=priority)


def consumers(threads: dict[str, int], **options) -> dict[str, LaneConsumer]:
    """Return a Huey consumer of worker threads for each lane in `threads` (lane: threads).

    Only the general lane runs the periodic jobs; every lane runs its own schedule (the
    retries its jobs asked to run later). `options` go to Huey's Consumer.
    """
    periodic = options.pop("periodic", True)
    return {
        lane: LaneConsumer(
            queue_of(lane),
            workers=count,
            worker_type="thread",
            periodic=periodic and lane == GENERAL,
            **options,
        )
        for lane, count in threads.items()
    }
