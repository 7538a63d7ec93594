"""Run the background worker: a Huey consumer per lane on the queues of TOCSIN_QUEUE_URL.

The general lane runs fan-outs, the minute jobs and everything else; each channel's lane
sends that channel's chunks (decision 0015). One process runs every lane by default;
`--lanes sms` runs only those named, so a big site can give a lane its own process or
machine. A process that runs the general lane also runs the companions the apps add
(tocsin/core/processes.py): the Signal receive websockets when signal-cli-rest-api is in
json-rpc mode (tocsin/response/signal_listener.py).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from tocsin.core.consumers import Lanes
from tocsin.core.processes import worker_companions
from tocsin.delivery.channels.signal.about import gateway_about, problems
from tocsin.delivery.fanout import lease_lengths, resume_stalled
from tocsin.delivery.lanes import GENERAL, consumers
from tocsin.delivery.lanes import lanes as all_lanes


class Command(BaseCommand):
    help = "Run the background worker (a Huey consumer per lane) on TOCSIN_QUEUE_URL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lanes",
            help="Run only these lanes, comma-separated (general and one per channel: "
            "email, push, signal, sms). Default: every lane.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="Threads for each lane run, instead of TOCSIN_WORKER_THREADS.",
        )

    def handle(self, *args, lanes, workers, **options):
        if workers is not None and workers < 1:
            raise CommandError("--workers must be at least 1.")
        if HUEY.immediate:
            raise CommandError(
                "TOCSIN_QUEUE_IMMEDIATE is on, so jobs run inside the web process and a worker "
                "would have nothing to do. Unset it to use the queue."
            )
        autodiscover_modules("tasks")
        threads = {
            lane: workers or settings.TOCSIN_WORKER_THREADS.get(lane, 1)
            for lane in self.lanes_to_run(lanes)
        }
        if "signal" in threads:
            self.report_signal_gateway()
        # A worker that was killed left its rows leased; once the leases run out (a
        # channel's may be longer than TOCSIN_DELIVERY_LEASE_SECONDS: fanout.lease_seconds),
        # send them, rather than wait for the minute sweep after that. The jobs go to the
        # general lane, whichever process runs it. A queue that is down now does not stop
        # the worker: its consumers wait for the queue, and the minute sweep does this job
        # once it is back.
        try:
            for seconds in lease_lengths():
                resume_stalled.schedule(delay=seconds + 1)
        except Exception as error:  # every queue backend raises its own
            self.stderr.write(f"queue unavailable at start ({type(error).__name__}); waiting")
        # What the apps run beside the lanes, in the general lane's processes only: in
        # json-rpc mode Signal messages come only over a websocket held open (each process
        # holds one: a message is stored once).
        companions = [start() for start in worker_companions()] if GENERAL in threads else []
        # SIGINT stops every lane after its running jobs finish; SIGTERM stops at once;
        # SIGHUP restarts. Poll at least every second when idle (Huey's default backs off
        # to 10 s): a raid alert must not wait for a sleeping worker.
        try:
            Lanes(consumers(threads, max_delay=1.0)).run()
        finally:
            for companion in companions:
                companion.stop()

    def report_signal_gateway(self) -> None:
        """Say at start-up, loudly, what the Signal gateway's mode and version mean for sends."""
        if not settings.TOCSIN_SIGNAL_NUMBER:
            return
        about = gateway_about(max_age=0)
        if about is not None:
            self.stderr.write(f"Signal gateway: {about.mode} mode, version {about.version}")
        for problem in problems(about):
            self.stderr.write(self.style.ERROR(f"WARNING: {problem}"))

    @staticmethod
    def lanes_to_run(option: str | None) -> list[str]:
        """Return the lanes named by --lanes (every lane without it), in the lanes' order;
        refuse a lane that does not exist, here or in TOCSIN_WORKER_THREADS."""
        known = all_lanes()
        unknown = set(settings.TOCSIN_WORKER_THREADS) - set(known)
        if unknown:
            raise CommandError(
                f"TOCSIN_WORKER_THREADS names no such lane: {', '.join(sorted(unknown))} "
                f"(the lanes are {', '.join(known)})."
            )
        if option is None:
            return known
        named = {lane.strip() for lane in option.split(",") if lane.strip()}
        if not named or named - set(known):
            raise CommandError(f"--lanes must name lanes among {', '.join(known)}, not {option!r}.")
        return [lane for lane in known if lane in named]
