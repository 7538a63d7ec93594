"""URLs of tocsin.votes: the organizer's screens (staff), the voter's pages (ballot) and
the member's list of their votes (member)."""

from .views import ballot, member, staff

app_name = "votes"
urlpatterns = [*staff.urlpatterns, *ballot.urlpatterns, *member.urlpatterns]
