"""URLs of tocsin.clauses."""

app_name = "clauses"

urlpatterns: list = []
