"""Where an organization's notice channels may post: a few services, at public addresses only.

An admin types an Apprise URL, and the worker posts to wherever it points. Left open, that
lets an admin make the server call its own services (signal-cli-rest-api, the SMS gateway,
the database), its cloud's metadata service or anything on its private network
(issue 13, item 5). So, decision 0013:

- Only the schemes in SCHEMES are taken: chat services with a fixed API, no generic webhook
  (json://, form://, …), no Signal REST API, no email (an SMTP server of the URL's choosing).
- Every address a channel's server name resolves to must be public: not loopback, private,
  link-local, multicast, unspecified, shared (CGNAT), reserved or documentation, IPv4 inside
  IPv6 included, and not one of Tocsin's own services (its Signal, SMS, SMTP, push, database,
  queue, tiles or web address). The operator may let a network through
  (TOCSIN_NOTICE_ALLOWED_NETWORKS, e.g. the union's own Matrix on its LAN); Tocsin's own
  services stay refused there on their ports, and a plain (non-TLS) scheme is taken only
  for such a network, never across the internet.
- This is checked when the channel is saved, and again at every send; and while a notice is
  posted, every connection Apprise opens (a redirect, Matrix's .well-known discovery, a
  retry) goes through `pinned()`: the name is resolved once, each address checked, and the
  socket connects to the address that was checked, so a DNS answer that changes between the
  check and the connection (rebinding) cannot send it inward.
"""

import contextlib
import contextvars
import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import urllib3.util.connection
from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Scheme → (service, whether it uses TLS). Each posts to a chat service's fixed API.
SCHEMES: dict[str, tuple[str, bool]] = {
    "matrixs": ("Matrix", True),
    "matrix": ("Matrix", False),
    "ntfys": ("ntfy", True),
    "ntfy": ("ntfy", False),
    "mmosts": ("Mattermost", True),
    "mmost": ("Mattermost", False),
    "rockets": ("Rocket.Chat", True),
    "rocket": ("Rocket.Chat", False),
    "slack": ("Slack", True),
    "discord": ("Discord", True),
}
# Where the cloud services' plugins post, whatever their URL holds (tokens, not hosts).
FIXED_HOSTS = {
    "slack": [("hooks.slack.com", 443), ("slack.com", 443)],
    "discord": [("discord.com", 443)],
}
CLOUD_HOSTS = {"ntfy": ("ntfy.sh", 443), "t2bot": ("webhooks.t2bot.io", 443)}
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
DEFAULT_PORTS = {
    "http": 80,
    "https": 443,
    "smtp": 25,
    "smtp+starttls": 587,
    "smtps": 465,
    "redis": 6379,
    "rediss": 6379,
    "postgres": 5432,
    "postgresql": 5432,
}


class RefusedDestination(OSError):
    """A notice's server is at an address Tocsin does not post to."""


def scheme_of(url: str) -> str:
    return (url or "").strip().partition("://")[0].lower()


def scheme_accepted(url: str) -> bool:
    return scheme_of(url) in SCHEMES


def accepted_services() -> str:
    """Return the accepted services and their schemes, for an error or a help text."""
    return "Matrix (matrixs://), ntfy (ntfys://), Mattermost (mmosts://), Rocket.Chat (rockets://), Slack (slack://), Discord (discord://)"


# What an address is.


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def kind_of_inward(address: IPAddress) -> str:
    """Return what makes an address not public ("" for a public one)."""
    inner = embedded_ipv4(address)
    if inner is not None:
        found = kind_of_inward(inner)
        if found:
            return found
    if address.is_loopback:
        return _("this machine (a loopback address)")
    if address.is_unspecified:
        return _("an unspecified address")
    if address.is_link_local:
        return _("a link-local address, like a cloud's metadata service")
    if address.is_multicast:
        return _("a multicast address")
    if isinstance(address, ipaddress.IPv4Address) and address in SHARED_ADDRESS_SPACE:
        return _("a shared (carrier-grade NAT) address")
    if address.is_private:
        return _("a private network")
    if address.is_reserved or not address.is_global:
        return _("a reserved address")
    return ""


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net) for net in settings.TOCSIN_NOTICE_ALLOWED_NETWORKS]


def in_allowed_network(address: IPAddress) -> bool:
    inner = embedded_ipv4(address)
    return any(
        candidate in network
        for network in allowed_networks()
        for candidate in (address, inner)
        if candidate is not None and candidate.version == network.version
    )


def service_urls() -> list[str]:
    """Return the URLs of Tocsin's own services, each with a host and maybe a port."""
    database = settings.DATABASES["default"]
    urls = [
        settings.TOCSIN_SIGNAL_URL,
        settings.TOCSIN_SMS_URL,
        settings.TOCSIN_SMTP_URL,
        settings.TOCSIN_DEMO_PUSH_URL,
        settings.TOCSIN_BASE_URL,
        settings.TOCSIN_QUEUE_URL,
        settings.TOCSIN_MAP_TILES_URL.replace("{", "").replace("}", ""),
    ]
    if database.get("HOST"):
        port = database.get("PORT") or 5432
        urls.append(f"postgres://{database['HOST']}:{port}")
    return urls


def service_addresses() -> set[tuple[IPAddress, int]]:
    """Return the (address, port) of each of Tocsin's own services that resolves."""
    found: set[tuple[IPAddress, int]] = set()
    for url in service_urls():
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
        except ValueError:
            continue
        if not host or not port:
            continue
        with contextlib.suppress(OSError, UnicodeError):
            for address in resolve(host, port):
                found.add((address, port))
    return found


def resolve(host: str, port: int) -> list[IPAddress]:
    """Return every address `host` resolves to now (legacy forms like 2130706433 included,
    as the system's resolver reads them); raise OSError when it resolves to none."""
    infos = socket.getaddrinfo(host.strip("[]"), port, 0, socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError("no address")
    return addresses


def refusal(address: IPAddress, port: int, services=None) -> str:
    """Return why a notice may not go to (address, port), or "" when it may."""
    services = service_addresses() if services is None else services
    inner = embedded_ipv4(address)
    if any((candidate, port) in services for candidate in (address, inner) if candidate):
        return _("one of Tocsin's own services")
    if in_allowed_network(address):
        return ""
    return kind_of_inward(address)


@dataclass
class Destination:
    host: str
    port: int
    tls: bool


def destinations(url: str, plugin) -> list[Destination]:
    """Return the servers the plugin for `url` posts to, as far as its URL says."""
    scheme = scheme_of(url)
    _service, tls = SCHEMES[scheme]
    if scheme in FIXED_HOSTS:
        return [Destination(host, port, True) for host, port in FIXED_HOSTS[scheme]]
    mode = str(getattr(plugin, "mode", "") or "").lower()
    if scheme in {"ntfy", "ntfys"} and mode == "cloud":
        return [Destination(*CLOUD_HOSTS["ntfy"], True)]
    if scheme in {"matrix", "matrixs"} and mode == "t2bot":
        return [Destination(*CLOUD_HOSTS["t2bot"], True)]
    host = str(getattr(plugin, "host", "") or "")
    port = getattr(plugin, "port", None)
    if not isinstance(port, int):
        port = 443 if tls else 80
    return [Destination(host, port, tls)]


def check_destination(destination: Destination) -> list[IPAddress]:
    """Return the addresses a destination resolves to; raise RefusedDestination, saying
    why, when any of them is not one a notice may go to."""
    if not destination.host:
        raise RefusedDestination(_("The URL names no server."))
    try:
        addresses = resolve(destination.host, destination.port)
    except (OSError, UnicodeError, ValueError):
        raise RefusedDestination(
            _("The server's name cannot be found. Check the URL, or try again later.")
        ) from None
    services = service_addresses()
    for address in addresses:
        why = refusal(address, destination.port, services)
        if why:
            raise RefusedDestination(
                _("This URL points at %(place)s: notice channels post only to public servers.")
                % {"place": why}
            )
        if not destination.tls and not in_allowed_network(address):
            raise RefusedDestination(
                _(
                    "Use the URL's TLS form (like ntfys:// or matrixs://): across the internet "
                    "the channel's token must not travel in the clear."
                )
            )
    return addresses


# Pinning every connection made while a notice is posted.


@dataclass
class Pin:
    """The rules of one notice post, and why a connection was refused, if one was."""

    refused: list[str] = field(default_factory=list)


_pin: contextvars.ContextVar[Pin | None] = contextvars.ContextVar("notice_pin", default=None)
_unpinned_create_connection = urllib3.util.connection.create_connection


def _pinned_create_connection(address, *args, **kwargs):
    """urllib3's create_connection, which under `pinned()` connects only to an address it
    has just resolved and checked, so no second DNS answer is ever used."""
    pin = _pin.get()
    if pin is None:
        return _unpinned_create_connection(address, *args, **kwargs)
    host, port = address
    try:
        checked = check_destination(Destination(str(host), int(port), tls=True))
    except RefusedDestination as refused:
        pin.refused.append(str(refused))
        raise
    error: OSError | None = None
    for ip in checked:
        try:
            # An address, not a name: the resolver is not asked again. TLS still checks the
            # certificate against the name (urllib3 keeps it for SNI and verification).
            return _unpinned_create_connection((str(ip), port), *args, **kwargs)
        except OSError as failed:
            error = failed
    raise error or OSError("no address")


urllib3.util.connection.create_connection = _pinned_create_connection


@contextlib.contextmanager
def pinned() -> Iterator[Pin]:
    """Check and pin every connection urllib3 opens inside the block (and in threads started
    with a copy of its context, as Apprise's are)."""
    pin = Pin()
    token = _pin.set(pin)
    try:
        yield pin
    finally:
        _pin.reset(token)
