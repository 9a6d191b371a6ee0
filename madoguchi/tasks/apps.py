from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "madoguchi.tasks"
    label = "tasks"
