"""A broken catalog is an error page that says so (503), not a quietly degraded screen.

The catalog is read when first needed (``loader.current_catalog``); when the configured
folder does not load, every page that needs it shows which file and line are wrong and
what to do, instead of ids in place of names or missing procedures."""

from __future__ import annotations

from django.shortcuts import render

from madoguchi.catalog.model import CatalogError


class CatalogErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, CatalogError):
            return None
        return render(request, "catalog/broken.html", {"issues": exception.issues[:50]}, status=503)
