"""URLs of tocsin.structure."""

app_name = "structure"
urlpatterns: list = []
