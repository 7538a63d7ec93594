"""URLs of tocsin.playbooks."""

app_name = "playbooks"

urlpatterns: list = []
