from django.urls import path

from . import views

app_name = "audit"

ORG = "o/<slug:org>/"

urlpatterns = [
    path(ORG + "audit/", views.audit_log, name="log"),
    path(ORG + "audit.csv", views.audit_log_csv, name="log_csv"),
]
