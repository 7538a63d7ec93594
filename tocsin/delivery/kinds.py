"""The kinds of alert, each declared by the app that sends it.

The delivery engine names no feature. Every installed app may have an `alerts.py` that
calls `register(AlertKind(...))` for the kinds it sends; `DeliveryConfig.ready()` imports
them all, as Django's admin discovers `admin.py` (decision 0026). An alert's kind is then
checked against this registry, not against database choices, so a new kind needs no
delivery migration and no delivery file.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import AlertKinds

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse

    from .models import Alert, Delivery

# The longest name Alert.kind stores.
MAX_NAME = 20


def everyone(alert: "Alert", people: "QuerySet") -> Iterable[int]:
    """Answer rule of a kind whose every recipient acts from their link (a pledge to sign,
    a ballot to cast): all of `people`."""
    return people


@dataclass(frozen=True)
class AlertKind:
    """What the delivery engine needs to know of one kind of alert."""

    # What Alert.kind stores (at most MAX_NAME characters).
    name: str
    # What the staff screens call it, translated lazily.
    label: str | Promise
    # Huey runs higher numbers first: a verified alert (100) goes before a reminder (10).
    priority: int
    # Its messages' templates without their ending, in the owning app's templates:
    # "<app>/messages/<name>" renders <…>.txt, <…>_short.txt and <…>_subject.txt.
    templates: str
    # The follows (accounts.AlertKinds bits) whose sites and areas it reaches; 0: it goes
    # only to the roles, organizations and people its audience names.
    subscriptions: int = 0
    # The view (request, delivery) its link opens, or its dotted path; None: the message's
    # own page (delivery.views.message_page). A view of its own gets POST too.
    link_view: "str | Callable[[HttpRequest, Delivery], HttpResponse] | None" = None
    # Answer rule: who among a chunk's recipients (a query of person ids) acts from the
    # link, so gets their personal link even on a channel that shares one text among many
    # recipients (decision 0021); `everyone`, or None for nobody.
    answerers: "Callable[[Alert, QuerySet], Iterable[int]] | None" = None
    # Whether an organization's notice channels (its own rooms) may ask for it.
    to_notice_channels: bool = False
    # What its messages say that the alert's context holds as codes: called in the
    # recipient's language with the context, it returns words for the templates (a verified
    # alert's `what`, said from the codes of what was seen); None: the context as written.
    words: "Callable[[dict], dict[str, str]] | None" = None
    # Whether its rights link opens the page of the incident's site (what to do there: a
    # verified alert) instead of the general rights page (rights.py, decision 0031).
    site_rights: bool = False

    def open_link(self, request: "HttpRequest", delivery: "Delivery") -> "HttpResponse":
        """Return the page the alert's link opens for the delivery's recipient."""
        view: Any = self.link_view
        if isinstance(view, str):
            view = import_string(view)
        return view(request, delivery)


_registry: dict[str, AlertKind] = {}


def register(kind: AlertKind) -> AlertKind:
    """Make a kind of alert known to the delivery engine and return it.

    Registering the same kind twice is harmless; two different kinds under one name are a
    mistake, refused at start."""
    if not kind.name or len(kind.name) > MAX_NAME:
        raise ImproperlyConfigured(
            f"An alert kind's name has 1 to {MAX_NAME} characters: {kind.name!r}."
        )
    known = _registry.get(kind.name)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"Two alert kinds are registered as {kind.name!r}.")
    _registry[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget a kind (for a test that registers one of its own)."""
    _registry.pop(name, None)


def registered() -> list[AlertKind]:
    """Return every registered kind, in the order the apps registered them."""
    return list(_registry.values())


def find(name: str) -> AlertKind | None:
    """Return the kind registered under `name`, or None."""
    return _registry.get(name)


def invalid_kind(name: Any) -> ValidationError:
    """Return the error that refuses an alert of an unregistered kind, on the field `kind`.

    Its words are Django's own for a value that is not one of a field's choices."""
    from .models import Alert  # in the function: models.py imports this registry

    message = Alert._meta.get_field("kind").error_messages["invalid_choice"]
    return ValidationError(
        {"kind": ValidationError(message, code="invalid_choice", params={"value": name})}
    )


def kind_of(name: str) -> AlertKind:
    """Return the kind registered under `name`; raise ValidationError on `kind` if none is."""
    kind = _registry.get(name) if isinstance(name, str) else None
    if kind is None:
        raise invalid_kind(name)
    return kind


def check_kind(name: str) -> str:
    """Return `name` if a kind is registered under it; raise ValidationError on `kind`."""
    return kind_of(name).name


def label_of(name: str) -> str:
    """Return what the screens call a kind: its label, or its bare name if no installed
    app registers it any more (an alert kept from an app since removed)."""
    kind = _registry.get(name)
    return str(kind.label) if kind is not None else name


def personal_link_kinds() -> frozenset[str]:
    """Return the kinds whose every recipient acts from their own link (decision 0021)."""
    return frozenset(kind.name for kind in _registry.values() if kind.answerers is everyone)


def notice_kinds() -> list[AlertKind]:
    """Return the kinds an organization's notice channels may ask for."""
    return [kind for kind in _registry.values() if kind.to_notice_channels]


class KindNames:
    """The registered kinds' names as attributes, as Alert.Kind gave them when they were
    database choices: `Alert.Kind.VERIFIED == "verified"` once an app registers it."""

    def __getattr__(self, attribute: str) -> str:
        name = attribute.lower()
        if attribute.startswith("_") or name not in _registry:
            raise AttributeError(f"No alert kind {name!r} is registered.")
        return name


# The engine's own kinds, which any app may send: a notice (what an organization's senders
# write on the alerts screen) and a reminder. DeliveryConfig.ready() registers them after
# the apps' kinds, so that lists show the apps' kinds first.
NOTICE = AlertKind(
    name="notice",
    label=_("notice"),
    priority=50,
    templates="delivery/messages/notice",
    subscriptions=AlertKinds.NOTICES,
    to_notice_channels=True,
)
REMINDER = AlertKind(
    name="reminder",
    label=_("reminder"),
    priority=10,
    templates="delivery/messages/reminder",
    subscriptions=AlertKinds.EVENTS,
)
