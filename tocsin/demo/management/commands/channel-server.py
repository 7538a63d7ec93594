"""Run one of the demo's local channel servers until Ctrl-C: email, signal, sms or push.

Each listens where Tocsin's setting for the channel points (only on this machine) and
appends every message it receives to VAR_DIR/outbox/<channel>.jsonl; see
tocsin/demo/channel_servers.py. `tocsin demo` runs one per channel.
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from tocsin.demo import channel_servers


class Command(BaseCommand):
    help = (
        "Run a local server that receives one channel's messages for the demo "
        "(email, signal, sms or push), writing them to var/outbox/<channel>.jsonl."
    )

    def add_arguments(self, parser):
        parser.add_argument("channel", choices=channel_servers.CHANNELS)

    def handle(self, *args, channel, **options):
        address = channel_servers.local_address(channel)
        if address is None:
            setting = channel_servers.SETTING[channel]
            raise CommandError(f"{setting} points at another machine: refusing to stand in for it.")
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # One line per connection.
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        try:
            server = channel_servers.start(channel)
        except OSError as error:
            raise CommandError(f"Cannot listen on {address[0]}:{address[1]}: {error}") from None
        outbox = channel_servers.outbox_path(channel)
        self.stdout.write(
            f"Local {channel} server on {address[0]}:{address[1]}; messages go to {outbox}."
        )
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            server.stop()
