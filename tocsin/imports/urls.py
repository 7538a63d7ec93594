from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("o/<slug:org>/members/import/", views.members_import, name="members_import"),
    path(
        "o/<slug:org>/members/import/confirm/",
        views.members_import_confirm,
        name="members_import_confirm",
    ),
    path(
        "o/<slug:org>/members/import/done/", views.members_import_done, name="members_import_done"
    ),
    path(
        "o/<slug:org>/members/import/tocsin-members.csv",
        views.members_import_template,
        name="members_import_template",
    ),
]
