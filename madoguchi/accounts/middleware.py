"""Every page and API call needs a logged-in member of staff.

Views that must be open (the login page, the waiting-room display) are marked with
Django's ``login_not_required``. The API answers 401 in JSON instead of redirecting.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


class LoginRequiredMiddleware:
    # Paths outside the views' own marking: static files, and Django's language switch.
    open_prefixes = ("/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    # A member of staff who must change their password may reach only these.
    password_paths = ("/accounts/password/", "/accounts/logout/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated:
            if getattr(request.user, "must_change_password", False) and not (
                request.path.startswith(self.password_paths + self.open_prefixes)
            ):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("パスワードの変更が必要です")}, status=403)
                return redirect("accounts:password_change")
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if request.path.startswith(self.open_prefixes):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("ログインが必要です")}, status=401)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
