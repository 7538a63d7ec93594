"""Run the background worker: a Huey consumer on the queue of TOCSIN_QUEUE_URL."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules


class Command(BaseCommand):
    help = "Run the background worker (Huey consumer) on TOCSIN_QUEUE_URL."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2, help="Worker threads.")

    def handle(self, *args, workers, **options):
        from huey.contrib.djhuey import HUEY

        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if HUEY.immediate:
            raise CommandError(
                "TOCSIN_QUEUE_IMMEDIATE is on, so jobs run inside the web process and a worker "
                "would have nothing to do. Unset it to use the queue."
            )
        autodiscover_modules("tasks")
        from tocsin.delivery.fanout import resume_stalled

        # A worker that was killed left its rows leased; once the leases run out, send them.
        resume_stalled.schedule(delay=settings.TOCSIN_DELIVERY_LEASE_SECONDS + 1)
        # SIGINT stops after the running jobs finish; SIGTERM stops at once; SIGHUP restarts.
        # Poll at least every second when idle (Huey's default backs off to 10 s): a raid
        # alert must not wait for a sleeping worker.
        consumer = HUEY.create_consumer(workers=workers, worker_type="thread", max_delay=1.0)
        consumer.run()
