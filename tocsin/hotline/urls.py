"""The hotline's URLs: a member's plan and trigger (plan), the case screens (cases) and
the printable record for counsel (record)."""

from .views import cases, plan, record

app_name = "hotline"
urlpatterns = [
    *plan.urlpatterns,
    *cases.urlpatterns,
    *record.urlpatterns,
]
