"""Channels are plug-ins: one folder each, one Transport subclass, registered by kind here.

Every message goes through its channel's transport: alerts' deliveries in batches (`send`),
codes, member links and case messages one at a time (`send_direct`).
Adding a channel: see CONTRIBUTING.md, "Adding a channel".
"""

from .base import Limits, Message, Outgoing, Result, Transport, TransportError

_REGISTRY: dict[str, type[Transport]] = {}


def register(transport: type[Transport]) -> type[Transport]:
    _REGISTRY[transport.kind] = transport
    return transport


def transport_for(kind: str) -> Transport:
    """Return a ready transport for a channel kind (email, signal, sms, push)."""
    _load_builtin()
    try:
        return _REGISTRY[kind]()
    except KeyError:
        raise TransportError(f"no channel of kind {kind}", permanent=True) from None


def kinds() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def carries_direct(kind: str) -> bool:
    """Say whether a channel carries direct messages (Transport.direct), without opening it."""
    _load_builtin()
    transport = _REGISTRY.get(kind)
    return transport is not None and transport.direct


def _load_builtin() -> None:
    # Importing each channel module registers it. In the function: each one imports this
    # package for Transport and @register.
    from .email import transport as _email  # noqa: F401
    from .push import transport as _push  # noqa: F401
    from .signal import transport as _signal  # noqa: F401
    from .sms import transport as _sms  # noqa: F401


__all__ = [
    "Limits",
    "Message",
    "Outgoing",
    "Result",
    "Transport",
    "TransportError",
    "carries_direct",
    "kinds",
    "register",
    "transport_for",
]
