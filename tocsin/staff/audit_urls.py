"""The audit log's screens, under the `audit` namespace (tocsin/staff/views/audit.py)."""

from django.urls import path

from .views import audit as views

app_name = "audit"

ORG = "o/<slug:org>/"

urlpatterns = [
    path(ORG + "audit/", views.audit_log, name="log"),
    path(ORG + "audit.csv", views.audit_log_csv, name="log_csv"),
]
