"""The clause library's screens, for an organization's organizers and admins: the library
with its search, a clause (print, PDF, Word), writing and changing one's own clauses,
comparing two side by side, and adapting one into a draft of one's own (decision 0030)."""

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership

from . import compare as comparing
from . import exports, search, services
from .access import READERS, WRITERS, get_clause_for, get_own_clause_for, visible_to
from .forms import ClauseForm, SearchForm
from .models import Clause, language_name


def base_context(membership: Membership, **extra: Any) -> dict[str, Any]:
    return org_context(membership, section="clauses", **extra)


def with_tag(clauses: QuerySet[Clause], tag: str) -> QuerySet[Clause]:
    tag = "-".join(tag.lower().split())
    return clauses.filter(
        Q(tags=tag)
        | Q(tags__startswith=f"{tag} ")
        | Q(tags__endswith=f" {tag}")
        | Q(tags__contains=f" {tag} ")
    )


@never_cache
@org_view(READERS)
def library(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """The clauses the organization sees, searched and filtered."""
    form = SearchForm(request.GET or None)
    clauses = visible_to(membership.organization)
    searched = False
    status = 200
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"].strip():
            clauses = search.matching(clauses, data["q"])
            searched = True
        if data["sector"]:
            clauses = clauses.filter(sector=data["sector"])
        if data["status"]:
            clauses = clauses.filter(status=data["status"])
        if data["tag"].strip():
            clauses = with_tag(clauses, data["tag"])
            searched = True
    elif form.is_bound:
        clauses, status = clauses.none(), 400
    context = base_context(
        membership,
        form=form,
        clauses=list(clauses.order_by("title", "id")),
        searched=searched or (form.is_bound and bool(form.errors)),
    )
    return render(request, "clauses/library.html", context, status=status)


def clause_form_view(
    request: HttpRequest, membership: Membership, clause: Clause | None
) -> HttpResponse:
    sites = membership.organization.sites.order_by("name")
    initial = ClauseForm.initial_for(clause) if clause else {"status": Clause.Status.DRAFT}
    form = ClauseForm(request.POST or None, sites=sites, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {key: value for key, value in form.cleaned_data.items() if key != "sites"}
            try:
                if clause is None:
                    clause = services.create_clause(
                        membership.person,
                        membership.organization,
                        data,
                        form.cleaned_data["sites"],
                    )
                    messages.success(request, _("The clause is in the library."))
                else:
                    clause = services.update_clause(
                        membership.person, clause, data, form.cleaned_data["sites"]
                    )
                    messages.success(request, _("The clause is saved."))
                return redirect(
                    "clauses:clause", org=membership.organization.slug, clause=clause.code
                )
            except ValidationError as error:
                form.add_service_errors(error)
        status = 400
    context = base_context(membership, form=form, clause=clause)
    return render(request, "clauses/clause_form.html", context, status=status)


@never_cache
@org_view(WRITERS)
def clause_new(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    return clause_form_view(request, membership, None)


@never_cache
@org_view(WRITERS)
def clause_edit(
    request: HttpRequest, membership: Membership, org: str, clause: str
) -> HttpResponse:
    return clause_form_view(request, membership, get_own_clause_for(membership, clause))


def ordered_texts(clause: Clause) -> list[tuple[str, str, str]]:
    """Return (code, name, text) of the clause's texts, the reader's language first."""
    reading = get_language() or ""
    texts = sorted(clause.texts().items(), key=lambda item: item[0] != reading)
    return [(code, language_name(code), text) for code, text in texts]


@never_cache
@org_view(READERS)
def clause_detail(
    request: HttpRequest, membership: Membership, org: str, clause: str
) -> HttpResponse:
    found = get_clause_for(membership, clause)
    origin = None
    if found.origin_id:
        origin = visible_to(membership.organization).filter(pk=found.origin_id).first()
    others = visible_to(membership.organization).exclude(pk=found.pk).order_by("title", "id")
    context = base_context(
        membership,
        clause=found,
        own=found.organization_id == membership.organization_id,
        texts=ordered_texts(found),
        facts=exports.facts(found),
        origin=origin,
        others=others,
    )
    return render(request, "clauses/clause.html", context)


@org_view(WRITERS)
@require_POST
def clause_adapt(
    request: HttpRequest, membership: Membership, org: str, clause: str
) -> HttpResponse:
    """Copy a clause the organization sees into a draft of its own."""
    origin = get_clause_for(membership, clause)
    draft = services.adapt_clause(membership.person, membership.organization, origin)
    messages.success(
        request, _("A draft adapted from “%(title)s” is in your library.") % {"title": origin.title}
    )
    return redirect("clauses:clause", org=membership.organization.slug, clause=draft.code)


@never_cache
@org_view(READERS)
def clause_compare(
    request: HttpRequest, membership: Membership, org: str, clause: str
) -> HttpResponse:
    """Two clauses side by side, the differences marked, in a language both are written in."""
    left = get_clause_for(membership, clause)
    visible = visible_to(membership.organization)
    others = visible.exclude(pk=left.pk).order_by("title", "id")
    chosen = str(request.GET.get("with", ""))[:12]
    right = others.filter(code=chosen).first() if chosen else None
    context = base_context(membership, clause=left, others=others, right=right, chosen=chosen)
    status = 200
    if right is not None:
        language = comparing.language_for(
            left, right, str(request.GET.get("lang", "")), get_language() or ""
        )
        context |= {
            "comparison": comparing.compare(left, right, language),
            "language_name": language_name(language),
            "compare_languages": [
                (code, language_name(code)) for code in comparing.common_languages(left, right)
            ],
        }
    elif chosen:
        status = 404
        context["not_found"] = True
    return render(request, "clauses/compare.html", context, status=status)


def download(content: bytes, content_type: str, filename: str) -> FileResponse:
    return FileResponse(
        io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type
    )


@never_cache
@org_view(READERS)
def clause_pdf(request: HttpRequest, membership: Membership, org: str, clause: str) -> FileResponse:
    found = get_clause_for(membership, clause)
    return download(exports.as_pdf(found), "application/pdf", f"clause-{found.code}.pdf")


@never_cache
@org_view(READERS)
def clause_docx(
    request: HttpRequest, membership: Membership, org: str, clause: str
) -> FileResponse:
    found = get_clause_for(membership, clause)
    return download(
        exports.as_docx(found),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"clause-{found.code}.docx",
    )
