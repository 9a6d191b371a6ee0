from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "madoguchi.analytics"
    label = "analytics"
