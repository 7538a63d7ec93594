"""URLs of tocsin.campaigns: a member's events (member), the public event page and a
campaign's calendar (public), and the organizers' screens (staff)."""

from .views import member, public, staff

app_name = "campaigns"
urlpatterns = [
    *member.urlpatterns,
    *public.urlpatterns,
    *staff.urlpatterns,
]
