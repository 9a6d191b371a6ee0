from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "madoguchi.certificates"
    label = "certificates"

    def ready(self):
        from madoguchi.analytics import sections
        from madoguchi.catalog import extensions

        from .catalog import FILE, check
        from .stats import dashboard_tables

        sections.register(dashboard_tables)
        # certificates.yaml is part of the catalog: checked and exported with it
        extensions.register(extensions.Extension(FILE, check, folders=("certificates",)))
