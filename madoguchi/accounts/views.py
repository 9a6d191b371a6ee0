from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
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
