"""URLs of tocsin.playbooks: the public pages under rights/, a local's screens under staff/."""

from django.urls import path

from .content import ROLES
from .views import public, staff

app_name = "playbooks"

urlpatterns = [
    path("rights/", public.rights, name="rights"),
    # One path per role page, named role_<slug>: no argument a URL could fill with anything.
    *[
        path(f"rights/{page.slug}/", public.role, {"slug": page.slug}, name=f"role_{page.slug}")
        for page in ROLES
    ],
    path("rights/s/<str:site>/", public.site, name="site"),
    path("rights/s/<str:site>/print/", public.site_print, name="site_print"),
    path("staff/o/<slug:org>/playbooks/", staff.playbooks, name="playbooks"),
    path("staff/o/<slug:org>/playbooks/<str:site>/", staff.site_note, name="site_note"),
]
