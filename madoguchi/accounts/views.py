from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # The same words for an unknown user and a wrong password (Django's
        # invalid_login), and one message for every kind of throttling.
        "locked": _(
            "ログインの失敗が続いたため、このアカウントは一時的にロックされています。"
            "しばらくしてから再度お試しいただくか、管理者に連絡してください。"
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "madoguchi_locked", False):
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["expired"] = self.request.GET.get("expired") == "1"
        # single sign-on (accounts/oidc.py): the button, and the provider's refusal
        ctx["sso"] = bool(getattr(settings, "MADOGUCHI_OIDC_CLIENT_ID", ""))
        ctx["sso_failed"] = ctx["sso"] and self.request.GET.get("sso") == "failed"
        return ctx


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any member of staff changes their own password (the policy applies); a forced
    change (``must_change_password``) ends here."""

    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.user.must_change_password:
            self.request.user.must_change_password = False
            self.request.user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("パスワードを変更しました。"))
        return response
