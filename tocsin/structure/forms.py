"""Forms of the structure screens. They parse; services decide and store."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tocsin.core.forms import NamedErrorsForm

from .models import MAX_LABEL, SCORES
from .services import MAX_NAME


def score_choices(labels: dict[int, str]) -> list[tuple[str, str]]:
    return [(str(score), f"{score} · {labels[score]}") for score in SCORES]


class RateForm(NamedErrorsForm):
    score = forms.TypedChoiceField(
        label=_("Score"), coerce=int, choices=[(str(s), str(s)) for s in SCORES]
    )


class PersonChoiceForm(NamedErrorsForm):
    """One field choosing among people given by the view, by public id."""

    person_field = "organizer"

    def set_people(self, people, empty=None) -> None:
        self.people = {str(p.public_id): p for p in people}
        choices = [(key, p.display_name) for key, p in self.people.items()]
        field = cast(forms.ChoiceField, self.fields[self.person_field])
        field.choices = ([("", empty)] if empty else []) + choices

    def chosen(self):
        return self.people.get(self.cleaned_data.get(self.person_field) or "")


class AssignForm(PersonChoiceForm):
    organizer = forms.ChoiceField(label=_("Their organizer"), required=False)

    def __init__(self, *args, organizers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_people(organizers, _("Nobody yet"))


class OrganizerForm(PersonChoiceForm):
    organizer = forms.ChoiceField(label=_("Add an organizer to this unit"))

    def __init__(self, *args, organizers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_people(organizers, _("Choose…"))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TestForm(NamedErrorsForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=MAX_NAME,
        help_text=_("For example “70% at 1-2 by Jan 16”."),
    )
    target_percent = forms.IntegerField(
        label=_("Target: percent of the unit's members"), min_value=1, max_value=100
    )
    max_score = forms.TypedChoiceField(label=_("Counting members rated"), coerce=int)
    by_date = forms.DateField(label=_("By"), widget=DateInput())

    def __init__(self, *args, labels=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("max_score", 2)
        super().__init__(*args, **kwargs)
        labels = labels or {}
        cast(forms.TypedChoiceField, self.fields["max_score"]).choices = [
            (
                str(score),
                _("1 to %(score)d (up to “%(label)s”)")
                % {"score": score, "label": labels.get(score, "")},
            )
            if score > 1
            else (str(score), _("1 only (“%(label)s”)") % {"label": labels.get(score, "")})
            for score in SCORES
        ]


class ScaleForm(NamedErrorsForm):
    def __init__(self, *args, defaults=None, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = defaults or {}
        for score in SCORES:
            self.add_field(
                f"label_{score}",
                forms.CharField(
                    label=_("Score %(score)d") % {"score": score},
                    required=False,
                    max_length=MAX_LABEL,
                    help_text=_("Leave it empty for “%(default)s”.")
                    % {"default": defaults.get(score, "")},
                ),
            )

    def labels(self) -> dict[int, str]:
        return {score: self.cleaned_data.get(f"label_{score}", "") for score in SCORES}
