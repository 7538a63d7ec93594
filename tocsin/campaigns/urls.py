"""URLs of tocsin.campaigns."""

app_name = "campaigns"
urlpatterns: list = []
