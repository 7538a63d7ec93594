"""URLs of tocsin.votes: the organizer's screens (staff) and the voter's pages (ballot)."""

from .views import ballot, staff

app_name = "votes"
urlpatterns = [*staff.urlpatterns, *ballot.urlpatterns]
