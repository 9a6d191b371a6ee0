"""Japanese first: the UI language is the one a member of staff chose (language switch,
stored in a cookie), else Japanese — never the browser's Accept-Language, so a counter PC
set up in English still shows the Japanese counter until someone switches."""

import re


class JapaneseFirstMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestLogMiddleware:
    """One log line per request: request id, staff id, status, duration, method and the
    route's *name* — never the path, which may carry a person's 宛名番号, nor the query.
    The request id comes from the proxy (X-Request-ID, nginx's $request_id) or is made
    here, and is sent back in the response so a counter's report can be traced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import logging
        import time

        from .logfilters import bind_request, bind_user, clean_request_id, unbind_request

        rid = clean_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = rid
        tokens = bind_request(rid)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            user = getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                bind_user(user.pk)
            match = getattr(request, "resolver_match", None)
            logging.getLogger("madoguchi.request").info(
                "request",
                extra={
                    "fields": {
                        "status": status,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "method": request.method,
                        "route": (match.view_name if match else "-") or "-",
                    }
                },
            )
            unbind_request(tokens)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from .logfilters import bind_user

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            bind_user(user.pk)


# No inline script anywhere (behaviours live in static/js/behaviours.js); inline *styles*
# stay allowed (a few style attributes, htmx's indicator style). Frames: only the
# product's own bundle PDFs, and only inside the product (frame-ancestors 'self').
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Referrer-Policy
    and X-Content-Type-Options come from Django's SecurityMiddleware). A response that
    may be framed by the product says so with ``X-Frame-Options: SAMEORIGIN``
    (documents.views.pdf_response); everything else may not be framed at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        frameable = response.get("X-Frame-Options") == "SAMEORIGIN"
        response.setdefault(
            "Content-Security-Policy",
            CONTENT_SECURITY_POLICY.format(ancestors="'self'" if frameable else "'none'"),
        )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", "same-origin")
        return response


# A JSON "\ud800" escape that is not half of a pair decodes to a lone surrogate: a str
# that PostgreSQL refuses and no page can encode (a stored one made a visit page 500
# forever). Raw UTF-8 cannot carry one, and forms decode bad bytes to U+FFFD, so JSON
# escapes are the only way in.
_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


class RejectLoneSurrogatesMiddleware:
    """400 for a JSON body with a lone surrogate escape, before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH") and "json" in request.content_type:
            body = request.body.decode("utf-8", errors="replace")
            if "\\u" in body and _LONE_SURROGATE.search(body):
                from django.utils.translation import gettext as _

                from .apierrors import respond

                return respond(
                    400, _("文字として使えない値（対になっていないサロゲート）が含まれています")
                )
        return self.get_response(request)
