from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "madoguchi.accounts"
    label = "accounts"

    def ready(self):
        from . import signals  # noqa: F401  (audit of logins and staff changes)
