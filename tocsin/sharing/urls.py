"""URLs of tocsin.sharing."""

app_name = "sharing"

urlpatterns: list = []
