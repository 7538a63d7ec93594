"""Hold signal-cli-rest-api's receive websocket of every reporting number, in json-rpc mode.

In json-rpc mode signal-cli runs as a daemon that receives all the time, and the API hands
each message to the websockets open on /v1/receive/{number} at that moment; a plain GET
there is answered 400, and a message that arrives while no websocket is open is lost.
So `tocsin worker`, in each process that runs the general lane, runs one Listener:

- every SUPERVISE_SECONDS it asks GET /v1/about for the mode and, in json-rpc mode, keeps
  one thread per reporting number holding that number's websocket (numbers added, changed
  or removed are followed; in another mode it holds none, and polling reads instead);
- each thread files every message it receives as a report (inbound.file_envelope), and
  reconnects after any failure with exponential back-off (the `websockets` library's
  delays, capped at MAX_DELAY_SECONDS); a failure to connect is kept for the organization's
  admins (SignalReceiveFailure) until a connection is made again.

Two workers each hold their own websockets and each get every message: a message is still
stored once (its inbound_key). Nothing here logs a phone number or what a message says.
See docs/decisions/0006-inbound-reports.md, "Signal receiving".
"""

import json
import logging
import threading
import urllib.parse

from django.conf import settings
from django.db import close_old_connections, connections
from websockets.client import backoff
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tocsin.accounts.models import Organization

from .inbound import (
    JSON_RPC,
    SignalUnavailable,
    file_envelope,
    gateway_mode,
    get_json,
    receive_failed,
    receive_worked,
)

log = logging.getLogger(__name__)

SUPERVISE_SECONDS = 30.0
MAX_DELAY_SECONDS = 60.0
# How long one wait for a frame lasts before the thread checks whether it must stop.
RECV_SECONDS = 1.0
# What the admins see when GET /v1/accounts does not list the reporting number.
NOT_REGISTERED = "not registered there"
# A connection that died without a word (half-open TCP) is noticed within twice this.
PING_SECONDS = 20.0


def websocket_url(number: str) -> str:
    """Return the receive websocket's URL of a number, on TOCSIN_SIGNAL_URL's server."""
    parts = urllib.parse.urlsplit(settings.TOCSIN_SIGNAL_URL)
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = f"{parts.path.rstrip('/')}/v1/receive/{urllib.parse.quote(number)}"
    return urllib.parse.urlunsplit((scheme, parts.netloc, path, "", ""))


def start_listener() -> "Listener":
    """Start this worker process's Signal listener (added to `tocsin worker` in apps.py)."""
    return Listener().start()


class Listener:
    """One process's holder of the receive websockets; start() it, stop() it."""

    def __init__(
        self,
        supervise_seconds: float = SUPERVISE_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
    ):
        self.supervise_seconds = supervise_seconds
        self.max_delay = max_delay
        self._stopped = threading.Event()
        self._held: dict[int, tuple[str, threading.Event, threading.Thread]] = {}
        self._thread: threading.Thread | None = None

    def start(self) -> "Listener":
        self._thread = threading.Thread(target=self.run, name="signal-listener", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close every websocket and end the threads (each within RECV_SECONDS)."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout)
        for _number, stopped, thread in list(self._held.values()):
            stopped.set()
            thread.join(timeout)

    def holding(self) -> int:
        """Return how many numbers' websockets this listener holds (or is reconnecting)."""
        held = list(self._held.values())
        return sum(1 for _number, _stopped, thread in held if thread.is_alive())

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.supervise()
            except Exception as error:  # a database that blinks: try again next round
                log.warning("inbound Signal: listener round failed: %s", type(error).__name__)
            finally:
                close_old_connections()
            self._stopped.wait(self.supervise_seconds)
        connections.close_all()

    def supervise(self) -> None:
        """Hold the websocket of each reporting number in json-rpc mode, and none otherwise.

        When the server cannot tell its mode, the websockets held are kept (each reconnects
        on its own); polling keeps that failure for the admins.
        """
        try:
            mode = gateway_mode()
        except SignalUnavailable:
            return
        wanted: dict[int, str] = {}
        if mode == JSON_RPC:
            wanted = self.registered_numbers()
        for organization_id, (number, stopped, _thread) in list(self._held.items()):
            if wanted.get(organization_id) != number:
                stopped.set()
                del self._held[organization_id]
        for organization_id, number in wanted.items():
            held = self._held.get(organization_id)
            if held is None or not held[2].is_alive():
                self._hold(organization_id, number)

    @staticmethod
    def registered_numbers() -> dict[int, str]:
        """Return the reporting numbers the gateway holds, by organization.

        In json-rpc mode the API opens the websocket of any number and, for one it does not
        hold, sends nothing: so each number missing from GET /v1/accounts is kept as a
        failure for its admins instead. When the list cannot be read, every number is held.
        """
        organizations = list(Organization.objects.exclude(report_number=""))
        try:
            accounts = get_json("/v1/accounts")
        except SignalUnavailable:
            accounts = None
        registered = set(accounts) if isinstance(accounts, list) else None
        wanted = {}
        for organization in organizations:
            if registered is None or organization.report_number in registered:
                wanted[organization.pk] = organization.report_number
            else:
                log.warning("inbound Signal: %s's number is not on the gateway", organization.slug)
                receive_failed([organization], SignalUnavailable(NOT_REGISTERED, False))
        return wanted

    def _hold(self, organization_id: int, number: str) -> None:
        stopped = threading.Event()
        thread = threading.Thread(
            target=self.hold,
            args=(organization_id, number, stopped),
            name=f"signal-listener-{organization_id}",
            daemon=True,
        )
        self._held[organization_id] = (number, stopped, thread)
        thread.start()

    def hold(self, organization_id: int, number: str, stopped: threading.Event) -> None:
        """Hold one number's websocket until `stopped`, reconnecting with back-off."""
        delays = None
        try:
            while not stopped.is_set() and not self._stopped.is_set():
                try:
                    organization = Organization.objects.filter(pk=organization_id).first()
                    if organization is None:
                        return
                    opened = self.listen(organization, number, stopped)
                except Exception as error:  # a database that blinks: reconnect and go on
                    log.warning("inbound Signal: listening failed: %s", type(error).__name__)
                    opened = False
                finally:
                    close_old_connections()
                if opened or delays is None:
                    delays = backoff(initial_delay=1.0, min_delay=1.0, max_delay=self.max_delay)
                stopped.wait(next(delays))
        finally:
            connections.close_all()  # this thread's own connections

    def listen(self, organization: Organization, number: str, stopped: threading.Event) -> bool:
        """Open the number's websocket and file what comes until it closes or `stopped`;
        return whether it opened. A failure to open is kept for the admins."""
        opened = False
        try:
            with connect(
                websocket_url(number),
                proxy=None,
                open_timeout=10,
                ping_interval=PING_SECONDS,
                ping_timeout=PING_SECONDS,
                close_timeout=2,
            ) as websocket:
                opened = True
                receive_worked(organization)
                self.receive(organization, websocket, stopped)
        except InvalidStatus as error:
            status = error.response.status_code
            server_down = not 400 <= status < 500 or status == 429
            self.failed(organization, SignalUnavailable(f"HTTP {status}", server_down))
        except (OSError, TimeoutError, InvalidHandshake) as error:
            if not opened:
                self.failed(organization, SignalUnavailable(type(error).__name__))
        return opened

    def receive(
        self, organization: Organization, websocket: ClientConnection, stopped: threading.Event
    ) -> None:
        """File each frame that comes until the websocket closes or `stopped`."""
        while not stopped.is_set() and not self._stopped.is_set():
            try:
                frame = websocket.recv(timeout=RECV_SECONDS)
            except TimeoutError:
                continue
            except ConnectionClosed:
                log.info("inbound Signal: %s's websocket closed", organization.slug)
                return
            self.take(organization, frame)

    @staticmethod
    def failed(organization: Organization, error: SignalUnavailable) -> None:
        log.warning("inbound Signal: %s's websocket not opened: %s", organization.slug, error)
        receive_failed([organization], error)

    @staticmethod
    def take(organization: Organization, frame: str | bytes) -> None:
        """File one frame: a received envelope, or an error the API passes on from
        signal-cli (logged without its words, which may name a sender)."""
        try:
            item = json.loads(frame)
        except ValueError:
            log.warning("inbound Signal: %s's websocket sent no JSON", organization.slug)
            return
        if isinstance(item, dict) and "error" in item and "envelope" not in item:
            log.warning("inbound Signal: the server reported an error for %s", organization.slug)
            return
        file_envelope(organization, item)
