"""URLs of tocsin.coalition."""

app_name = "coalition"

urlpatterns: list = []
