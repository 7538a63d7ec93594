"""URLs of tocsin.exchange: its staff screens. The OSDI API is mounted by the project's
urls.py (it needs the API's tokens; see osdi/views.py)."""

from django.urls import path

from . import views

app_name = "exchange"
ORG = "staff/o/<slug:org>/exchange/"

urlpatterns = [
    path(ORG, views.exchange, name="exchange"),
    path(ORG + "events.csv", views.events_export, name="events_csv"),
    path(ORG + "turnout.csv", views.turnout_export, name="turnout_csv"),
    path(ORG + "pledges.csv", views.pledges_export, name="pledges_csv"),
    path(ORG + "kept-out/", views.withheld_add, name="withheld_add"),
    path(ORG + "kept-out/<uuid:person>/remove/", views.withheld_remove, name="withheld_remove"),
    path(ORG + "webhooks/", views.webhook_list, name="webhooks"),
    path(ORG + "webhooks/<str:webhook>/remove/", views.webhook_remove, name="webhook_remove"),
    path(ORG + "webhooks/<str:webhook>/test/", views.webhook_test, name="webhook_test"),
]
