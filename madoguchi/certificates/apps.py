from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "madoguchi.certificates"
    label = "certificates"

    def ready(self):
        from madoguchi.analytics import sections

        from .stats import dashboard_tables

        sections.register(dashboard_tables)
