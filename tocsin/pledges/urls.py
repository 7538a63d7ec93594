"""Pledge URLs: the organizer's screens (staff) and the member's own (member)."""

from .views import member, staff

app_name = "pledges"
urlpatterns = [*staff.urlpatterns, *member.urlpatterns]
