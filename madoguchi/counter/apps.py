from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "madoguchi.counter"
    label = "counter"

    def ready(self):
        # analytics (below) reads the visits through the interface it owns
        from madoguchi.analytics import sources

        from .figures import SOURCE

        sources.register(SOURCE)
        # the 異動 record's plugin (ido_file) and its retry join the hand-off registry
        from . import checks, ido_handoff  # noqa: F401
