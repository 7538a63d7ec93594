"""An organization admin's notice channels: list, add, remove, and send a test notice."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Organization
from tocsin.accounts.roles import Role

from . import notices
from .kinds import label_of, notice_kinds
from .models import NoticeChannel


class NoticeChannelForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    url = forms.CharField(
        label=gettext_lazy("Apprise URL"),
        max_length=notices.MAX_URL_LENGTH,
        help_text=gettext_lazy(
            "For example ntfys://ntfy.example.org/stewards or "
            "matrixs://token@matrix.example.org/!room. Tocsin posts only to Matrix, ntfy, "
            "Mattermost, Rocket.Chat, Slack and Discord, on servers on the public internet. "
            "The URL holds the room's token: after saving, Tocsin shows only its start."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Kinds of alert it gets"),
        choices=lambda: [(kind.name, kind.label) for kind in notice_kinds()],
        widget=forms.CheckboxSelectMultiple,
        initial=lambda: [kind.name for kind in notice_kinds()],
    )


def notice_channel_of(organization: Organization, code: str) -> NoticeChannel:
    found = organization.notice_channels.filter(code=code[:12]).first()
    if found is None:
        raise Http404
    return found


@org_view(Role.ADMIN)
def notice_channel_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """List the organization's notice channels and add one."""
    form = NoticeChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notices.add_notice_channel(
                membership.person,
                membership.organization,
                form.cleaned_data["name"],
                form.cleaned_data["url"],
                form.cleaned_data["kinds"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Added. Send a test notice to check it."))
            return redirect("delivery:notice_channels", org=org)
    rows = [
        (channel, [label_of(kind) for kind in channel.kinds])
        for channel in membership.organization.notice_channels.all()
    ]
    return render(
        request,
        "delivery/notice_channels.html",
        org_context(membership, rows=rows, form=form, section="notice_channels"),
        status=400 if form.errors else 200,
    )


@org_view(Role.ADMIN)
@require_POST
def notice_channel_remove(
    request: HttpRequest, membership: Membership, org: str, notice_channel: str
) -> HttpResponse:
    channel = notice_channel_of(membership.organization, notice_channel)
    notices.remove_notice_channel(membership.person, channel)
    messages.success(request, _("Removed."))
    return redirect("delivery:notice_channels", org=org)


@org_view(Role.ADMIN)
@require_POST
def notice_channel_test(
    request: HttpRequest, membership: Membership, org: str, notice_channel: str
) -> HttpResponse:
    channel = notice_channel_of(membership.organization, notice_channel)
    notices.request_test_notice(membership.person, channel)
    messages.success(
        request, _("A test notice is on its way. Reload this page to see whether it went.")
    )
    return redirect("delivery:notice_channels", org=org)
