"""A one-tap action that cannot be undone asks first: its form carries a checkbox the person
ticks ("Yes, withdraw my signature"), the browser will not submit it unticked (`required`),
and the view refuses it unticked too, so the step holds without JavaScript or with an old
browser. Forms include core/_confirm.html; views call `confirmed(request)`."""

from django.http import HttpRequest

FIELD = "confirm"
YES = "yes"


def confirmed(request: HttpRequest) -> bool:
    """Whether the posted form's confirmation box was ticked."""
    return request.POST.get(FIELD) == YES
