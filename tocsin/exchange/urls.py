"""URLs of tocsin.exchange."""

app_name = "exchange"

urlpatterns: list = []
