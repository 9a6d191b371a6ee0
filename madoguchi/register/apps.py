from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "madoguchi.register"
    label = "register"
