"""URLs of tocsin.structure: the organizers' screens under /staff/o/<org>/structure/."""

from django.urls import path

from . import views

app_name = "structure"

ORG = "staff/o/<slug:org>/structure/"
UNIT = ORG + "units/<str:unit>/"
MEMBER = UNIT + "members/<str:person>/"
TEST = UNIT + "tests/<str:structure_test>/"

urlpatterns = [
    path(ORG, views.unit_list, name="units"),
    path(ORG + "scale/", views.scale, name="scale"),
    path(UNIT, views.unit_dashboard, name="unit"),
    path(UNIT + "take-on/", views.take_on, name="take_on"),
    path(UNIT + "structure.csv", views.unit_csv, name="unit_csv"),
    path(UNIT + "organizers/", views.organizer_add, name="organizer_add"),
    path(UNIT + "organizers/<str:person>/remove/", views.organizer_remove, name="organizer_remove"),
    path(UNIT + "tests/new/", views.test_new, name="test_new"),
    path(TEST, views.test_edit, name="test_edit"),
    path(TEST + "delete/", views.test_delete, name="test_delete"),
    path(MEMBER, views.member_detail, name="member"),
    path(MEMBER + "rate/", views.rate, name="rate"),
    path(MEMBER + "assign/", views.assign, name="assign"),
]
