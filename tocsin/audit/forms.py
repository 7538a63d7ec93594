"""The audit log's filters, read from the query string."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE_FORMAT = "%Y-%m-%d"
BAD_DATE = _("Enter a date as YYYY-MM-DD, such as 2025-01-31.")


def start_of(day: date) -> datetime:
    """Return midnight at the start of `day` in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditFilterForm(forms.Form):
    object = forms.CharField(
        label=_("Object ID"),
        max_length=64,
        required=False,
        help_text=_("A case's code, or the exact ID of a plan, incident or person."),
    )
    action = forms.CharField(
        label=_("Action"),
        max_length=80,
        required=False,
        help_text=_("The start of an action's name, such as hotline. or hotline.case.read"),
    )
    person = forms.UUIDField(
        label=_("Person ID"),
        required=False,
        error_messages={"invalid": _("Enter a person's ID, as shown in a link on this page.")},
    )
    since = forms.DateField(
        label=_("Since"),
        required=False,
        input_formats=[DATE_FORMAT],
        error_messages={"invalid": BAD_DATE},
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        input_formats=[DATE_FORMAT],
        error_messages={"invalid": BAD_DATE},
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("Until must be on or after Since."))
        return data

    def filtered(self, entries: QuerySet) -> QuerySet:
        """Return the entries that match the filters, or none when a filter is not valid."""
        if not self.is_bound:
            return entries
        if not self.is_valid():
            return entries.none()
        data = self.cleaned_data
        if data["object"]:
            # A case's entries name it by its code; a read of the plan it set off names
            # the plan, with the case's code beside it.
            wanted = data["object"].strip()
            entries = entries.filter(Q(object_id=wanted) | Q(detail__case=wanted))
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"])
        if data["person"]:
            entries = entries.filter(actor__public_id=data["person"])
        # The calendar's first and last days bound nothing, and a day past them overflows.
        if data["since"] and data["since"] > date.min:
            entries = entries.filter(at__gte=start_of(data["since"]))
        if data["until"] and data["until"] < date.max:
            entries = entries.filter(at__lt=start_of(data["until"] + timedelta(days=1)))
        return entries
