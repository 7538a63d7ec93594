"""Import members from a CSV file in the browser: upload, check, preview, confirm."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role

from . import pending
from .forms import CsvUploadHandler, UploadForm
from .services.files import COLUMNS, CsvFileError, template_csv
from .services.members import check_members_csv, import_members

PENDING_KEY = "tocsin_imports_pending"  # organization slug -> token of the checked upload
RESULT_KEY = "tocsin_imports_result"  # organization slug -> counts of the last import


@csrf_exempt
@org_view(Role.ADMIN)
def members_import(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """Show the upload form; check an uploaded file and show its bad rows or a preview."""
    # The upload handler must be in place before anything reads the request body, so the
    # CSRF check runs below, inside, rather than in the middleware.
    handler = CsvUploadHandler(request)
    request.upload_handlers = [handler]
    return _members_import(request, membership, org, handler)


@csrf_protect
def _members_import(
    request: HttpRequest, membership: Membership, org: str, handler: CsvUploadHandler
) -> HttpResponse:
    organization = membership.organization
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, too_large=handler.too_large)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            try:
                report = check_members_csv(organization, data, membership.person)
            except CsvFileError as error:
                form.add_error("file", error.messages)
            else:
                token = ""
                if not report.errors:
                    token = pending.save(data)
                    stored = request.session.get(PENDING_KEY, {})
                    pending.delete(stored.get(org, ""))
                    request.session[PENDING_KEY] = {**stored, org: token}
                return render(
                    request,
                    "imports/report.html",
                    {
                        **org_context(membership),
                        "report": report,
                        "token": token,
                        "form": UploadForm(),
                    },
                )
    return render(
        request,
        "imports/upload.html",
        {
            **org_context(membership),
            "form": form,
            "columns": COLUMNS,
            "max_mb": f"{settings.TOCSIN_MAX_CSV_BYTES / (1024 * 1024):g}",
            "max_rows": settings.TOCSIN_MAX_CSV_ROWS,
        },
    )


@org_view(Role.ADMIN)
@require_POST
def members_import_confirm(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """Import the file checked in the previous step, all rows or none."""
    organization = membership.organization
    stored = request.session.get(PENDING_KEY, {})
    token = stored.get(org, "")
    data = pending.load(token) if token and request.POST.get("token") == token else None
    if data is None:
        messages.error(
            request, _("That upload has expired or was replaced; upload the file again.")
        )
        return redirect("imports:members_import", org=org)
    try:
        report = import_members(organization, data, membership.person)
    except CsvFileError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:members_import", org=org)
    finally:
        pending.delete(token)
        request.session[PENDING_KEY] = {k: v for k, v in stored.items() if k != org}
    if report.errors:
        # The organization changed between the preview and now; show what is wrong now.
        return render(
            request,
            "imports/report.html",
            {**org_context(membership), "report": report, "form": UploadForm()},
        )
    results = request.session.get(RESULT_KEY, {})
    request.session[RESULT_KEY] = {
        **results,
        org: {"new": report.created, "updated": report.updated, "unchanged": report.unchanged},
    }
    return redirect("imports:members_import_done", org=org)


@org_view(Role.ADMIN)
def members_import_done(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    counts = request.session.get(RESULT_KEY, {}).get(org)
    if counts is None:
        return redirect("imports:members_import", org=org)
    return render(
        request,
        "imports/done.html",
        {**org_context(membership), "counts": counts},
    )


@org_view(Role.ADMIN)
def members_import_template(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """Return an empty members file: the header row, with a BOM so Excel reads it as UTF-8."""
    response = HttpResponse("\ufeff" + template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tocsin-members.csv"'
    return response
