from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.models import Site

EVERYONE = "everyone"


class NoticeForm(forms.Form):
    """A notice to the organization's members, or to the followers of one of its sites."""

    what = forms.CharField(
        label=_("Message"), max_length=500, widget=forms.Textarea(attrs={"rows": 4})
    )
    where = forms.CharField(label=_("Place (optional)"), max_length=200, required=False)
    audience = forms.ChoiceField(label=_("Send to"))

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {site.code: site for site in Site.objects.filter(organizations=organization)}
        cast(forms.ChoiceField, self.fields["audience"]).choices = [
            (EVERYONE, _("Every member of the organization")),
            *[
                (code, _("Followers of %(site)s") % {"site": site.name})
                for code, site in self.sites.items()
            ],
        ]

    def audience_spec(self) -> dict:
        choice = self.cleaned_data["audience"]
        if choice == EVERYONE:
            return {"whole_organizations": True}
        return {"sites": [choice]}
