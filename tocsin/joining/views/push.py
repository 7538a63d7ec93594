"""Web push on a member's own phone: the service worker, the app manifest, and subscribing.

The browser subscribes with this server's VAPID public key (rendered on the contacts page)
and posts the subscription here from the member's session; the fan-out then pushes alerts
to it in addition to the member's first channel.
"""

import json
from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from tocsin.accounts.access import member_view
from tocsin.accounts.models import Person
from tocsin.core.access import public

from ..services import members as member_services

# A subscription's JSON is a few hundred bytes; anything much larger is not one.
MAX_BODY_BYTES = 4096


@cache
def static_text(name: str) -> str:
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(name)
    return Path(path).read_text(encoding="utf-8")


@public
@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    """Serve the service worker from the site root, so that its scope is the whole site."""
    response = HttpResponse(
        static_text("tocsin/sw.js"), content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@public
@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    """Serve the web app manifest that makes Tocsin installable from the browser."""
    return HttpResponse(
        static_text("tocsin/manifest.webmanifest"), content_type="application/manifest+json"
    )


def refusal(field: str, messages: list[str], status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": {field: messages}}, status=status)


@member_view
@require_POST
def push_subscribe(request: HttpRequest, member: Person) -> JsonResponse:
    """Store the posted PushSubscription JSON as the member's confirmed push contact."""
    if len(request.body) > MAX_BODY_BYTES:
        return refusal("subscription", [_("This is not a web push subscription.")])
    try:
        member_services.add_push_subscription(member, request.body.decode("utf-8"))
    except UnicodeDecodeError:
        return refusal("subscription", [_("This is not a web push subscription.")])
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    # Shown when the page reloads after the answer.
    messages.success(request, _("This phone gets alerts as notifications now."))
    return JsonResponse({"subscribed": True}, status=201)


@member_view
@require_POST
def push_unsubscribe(request: HttpRequest, member: Person) -> JsonResponse:
    """Remove the member's push contact for the posted `{"endpoint": …}`."""
    try:
        endpoint = json.loads(request.body[:MAX_BODY_BYTES])["endpoint"]
        if not isinstance(endpoint, str):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return refusal("endpoint", [_("Say which web push subscription to stop.")])
    if not member_services.remove_push_subscription(member, endpoint):
        return refusal("endpoint", [_("This phone does not get web push from Tocsin.")], 404)
    messages.success(request, _("This phone no longer gets web push from Tocsin."))
    return JsonResponse({"removed": True})
