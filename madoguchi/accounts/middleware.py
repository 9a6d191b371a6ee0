"""Every page and API call needs a logged-in member of staff.

Views that must be open (the login page, the waiting-room display) are marked with
Django's ``login_not_required``. The API answers 401 in JSON instead of redirecting.

Idle expiry: only what a person does renews the session. The screens' polls (queue,
department tasks, a visit's tasks) do not — otherwise a counter PC left logged in would
stay logged in forever. When a poll finds the session gone, the whole screen goes to
the login page (htmx ``HX-Redirect``), which says the session expired.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from madoguchi.core import apierrors


class LoginRequiredMiddleware:
    # Paths outside the views' own marking: static files, and Django's language switch.
    open_prefixes = ("/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    # A member of staff who must change their password may reach only these.
    password_paths = ("/accounts/password/", "/accounts/logout/")

    # Routes the screens poll on a timer (hx-trigger="every …"): they do not renew.
    polling_routes = frozenset(
        {"tasks:table", "counter:queue_panel", "counter:visit_tasks", "counter:display_board"}
    )

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        polling = match is not None and match.view_name in self.polling_routes
        if request.user.is_authenticated and not polling:
            request.session.modified = True  # activity: the idle period starts again
        if request.user.is_authenticated:
            if getattr(request.user, "must_change_password", False) and not (
                request.path.startswith(self.password_paths + self.open_prefixes)
            ):
                if request.path.startswith("/api/"):
                    return apierrors.respond(403, _("パスワードの変更が必要です"))
                return redirect("accounts:password_change")
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if request.path.startswith(self.open_prefixes):
            return None
        if request.path.startswith("/api/"):
            return apierrors.respond(401, _("ログインが必要です"))
        expired = settings.SESSION_COOKIE_NAME in request.COOKIES
        if getattr(request, "htmx", False):
            # A fragment must not swap the login page into the screen: go there whole.
            page = urlsplit(request.htmx.current_url or "/").path or "/"
            response = HttpResponse(status=200)
            response["HX-Redirect"] = self._login_url(page, expired)
            return response
        return redirect(self._login_url(request.get_full_path(), expired))

    @staticmethod
    def _login_url(next_url: str, expired: bool) -> str:
        url = redirect_to_login(next_url, settings.LOGIN_URL)["Location"]
        return url + ("&expired=1" if expired else "")
