"""Views open to anyone, on purpose. Every other view refuses outsiders itself
(tocsin.accounts.access: `org_view`, `staff_view`, `member_view`).

The access test in tests/core/test_access.py walks every URL pattern and API operation:
a view without the `public` mark must refuse anonymous visitors and people of other
organizations (404 for objects, 401/403/redirect-to-sign-in for collections).
"""


def public(view):
    """Mark a view as open to anyone, on purpose. The access test trusts this mark."""
    view.tocsin_public = True
    return view


def is_public(view) -> bool:
    return bool(getattr(view, "tocsin_public", False))
