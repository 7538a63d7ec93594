"""The hotline's URLs: a member's plan and trigger (plan), the case screens (cases) and
the printable record for counsel (record)."""

from django.urls import path

from .views import cases, plan, record

app_name = "hotline"

ORG = "staff/o/<slug:org>/"
CASE = ORG + "cases/<str:case>/"

urlpatterns = [
    path("me/plan/", plan.plan_edit, name="plan"),
    path("me/plan/detained/", plan.plan_trigger, name="plan_trigger"),
    path("me/plan/detained/<str:token>/", plan.plan_trigger_link, name="plan_trigger_link"),
    path(ORG + "cases/", cases.case_list, name="cases"),
    path(ORG + "cases/new/", cases.case_new, name="case_new"),
    path(CASE, cases.case_detail, name="case"),
    path(CASE + "tasks/<str:task>/done/", cases.task_done, name="task_done"),
    path(CASE + "close/", cases.case_close, name="case_close"),
    path(CASE + "reopen/", cases.case_reopen, name="case_reopen"),
    path(CASE + "handover/", cases.case_handover, name="case_handover"),
    path(CASE + "hand-back/", cases.case_hand_back, name="case_hand_back"),
    *[
        path(CASE + f"{action}/", cases.case_action, {"action": action}, name=f"case_{action}")
        for action in cases.ACTIONS
    ],
    path(ORG + "facilities/", cases.facility_list, name="facilities"),
    path(ORG + "facilities/<str:facility>/remove/", cases.facility_remove, name="facility_remove"),
    path(CASE + "record/", record.case_record, name="case_record"),
]
