"""URLs of tocsin.pledges."""

app_name = "pledges"
urlpatterns: list = []
