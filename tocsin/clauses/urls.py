"""URLs of tocsin.clauses: the clause library under /staff/o/<org>/clauses/."""

from django.urls import path

from . import views

app_name = "clauses"

ORG = "staff/o/<slug:org>/clauses/"
CLAUSE = ORG + "<str:clause>/"

urlpatterns = [
    path(ORG, views.library, name="library"),
    path(ORG + "new/", views.clause_new, name="clause_new"),
    path(CLAUSE, views.clause_detail, name="clause"),
    path(CLAUSE + "edit/", views.clause_edit, name="clause_edit"),
    path(CLAUSE + "adapt/", views.clause_adapt, name="clause_adapt"),
    path(CLAUSE + "compare/", views.clause_compare, name="clause_compare"),
    path(CLAUSE + "clause.pdf", views.clause_pdf, name="clause_pdf"),
    path(CLAUSE + "clause.docx", views.clause_docx, name="clause_docx"),
]
