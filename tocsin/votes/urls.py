"""URLs of tocsin.votes."""

app_name = "votes"
urlpatterns: list = []
