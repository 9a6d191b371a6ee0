from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "madoguchi.rules"
    label = "rules"
