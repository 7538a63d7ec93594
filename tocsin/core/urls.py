"""The pages core serves itself: the home page, the health check, the language switch and
the map tiles. Their names carry no namespace (`home`, `healthz`, `set_language`,
`map_tile`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("tiles/<int:z>/<int:x>/<int:y>", views.map_tile, name="map_tile"),
]
