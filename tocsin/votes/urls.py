"""URLs of tocsin.votes: the organizer's screens (staff), the voter's pages (ballot) and
the member's list of their votes (member)."""

from django.urls import path

from .views import ballot, member, staff

app_name = "votes"

ORG = "staff/o/<slug:org>/"

urlpatterns = [
    path(ORG + "votes/", staff.vote_list, name="votes"),
    path(ORG + "votes/new/", staff.vote_new, name="vote_new"),
    path(ORG + "votes/<str:vote>/", staff.vote_detail, name="vote"),
    path(ORG + "votes/<str:vote>/send/", staff.vote_send, name="vote_send"),
    path("ballot/receipt/", ballot.receipt_check, name="receipt"),
    path("ballot/<str:token>/", ballot.ballot, name="ballot"),
    path("me/votes/", member.my_votes, name="my_votes"),
]
