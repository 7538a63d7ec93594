"""URLs of tocsin.structure: the organizers' screens under /staff/o/<org>/structure/."""

from . import views

app_name = "structure"
urlpatterns = [*views.urlpatterns]
