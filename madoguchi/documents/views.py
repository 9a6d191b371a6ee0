"""Pages: the bundle preview (paste a situation, get the PDF) and the print page the
counter links to (``/documents/print/?pdf=<same-site path of a stored bundle>``)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import yaml
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi.core import yamlsafe

from .services import BundleRequestError, audit_bundle, bundle_for_situation


def pdf_response(pdf: bytes, filename: str = "bundle.pdf") -> HttpResponse:
    """A PDF shown in the browser (inline) so that it can be printed from there; the
    counter uses it to serve the bundle stored on a visit."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # personal data: never cached
    response["X-Frame-Options"] = "SAMEORIGIN"  # the print page embeds it
    return response


class _Loader(yaml.SafeLoader):
    """Dates stay text, so that the situation check names the field of a bad date."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)


@require_http_methods(["GET", "POST"])
def preview(request):
    """Paste a situation (YAML or JSON) → the bundle PDF, or the error naming the field."""
    ctx = {"text": "", "languages": ["ja", "en"], "date": "", "error": None}
    if request.method == "GET":
        return render(request, "documents/preview.html", ctx)
    ctx.update(
        text=request.POST.get("situation", ""),
        languages=request.POST.getlist("lang") or ["ja"],
        date=request.POST.get("date", ""),
    )
    try:
        situation = yamlsafe.load(ctx["text"], _Loader)  # refuses alias bombs
        notified_on = dt.date.fromisoformat(ctx["date"]) if ctx["date"] else None
        with transaction.atomic():
            bundle = bundle_for_situation(situation, tuple(ctx["languages"]), notified_on)
            audit_bundle(request.user, situation, bundle, "preview")
    except yaml.YAMLError as exc:
        ctx["error"] = _("状況の YAML/JSON を読めません: %(e)s") % {"e": exc}
    except ValueError as exc:
        if isinstance(exc, BundleRequestError):
            # Situation errors carry their own English text (SituationError.message_en).
            japanese = (get_language() or "ja").startswith("ja")
            ctx["error"] = f"{exc.field}: {exc.message if japanese else exc.message_en}"
        else:
            ctx["error"] = _("届出日は YYYY-MM-DD で入力してください")
    if ctx["error"]:
        return render(request, "documents/preview.html", ctx, status=422)
    return pdf_response(bundle.pdf)


# The only PDFs the print page frames: the product's own bundles.
PRINTABLE_VIEWS = {"counter:bundle"}


def printable_path(pdf: str) -> str | None:
    """``pdf`` if it is the path of one of the product's own bundle PDFs, else None.
    The path is resolved, not pattern-matched: "/\t/example.invalid/x.pdf" (which a
    browser reads as another site) resolves to nothing."""
    parts = urlsplit(pdf)
    if parts.scheme or parts.netloc or parts.query or parts.fragment or not pdf.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return pdf if match.view_name in PRINTABLE_VIEWS else None


@require_GET
def print_page(request):
    """A page that shows a stored bundle and prints it with one key (P)."""
    pdf = printable_path(request.GET.get("pdf", ""))
    if pdf is None:
        return HttpResponseBadRequest(
            _("pdf には窓口の書類（/counter/visits/<番号>/bundle.pdf）のパスを指定します")
        )
    return render(request, "documents/print.html", {"pdf": pdf})
