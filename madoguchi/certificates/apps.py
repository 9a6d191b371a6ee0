from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "madoguchi.certificates"
    label = "certificates"
