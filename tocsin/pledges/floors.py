"""The floors below which a pledge would name a person instead of a group (decision 0009).

At least SIGNATURES_FLOOR signatures turn a pledge on, and every group it asks has at least
GROUP_FLOOR members. TOCSIN_PLEDGE_MIN_SIGNATURES and TOCSIN_PLEDGE_MIN_GROUP may raise
them; a lower value is refused when the settings load, and ignored here as well.
"""

from django.conf import settings

from .models import GROUP_FLOOR, SIGNATURES_FLOOR


def min_signatures() -> int:
    return max(SIGNATURES_FLOOR, settings.TOCSIN_PLEDGE_MIN_SIGNATURES)


def min_group() -> int:
    return max(GROUP_FLOOR, settings.TOCSIN_PLEDGE_MIN_GROUP)
