from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "madoguchi.counter"
    label = "counter"

    def ready(self):
        # analytics (below) reads the visits through the interface it owns
        from madoguchi.analytics import sources

        from .figures import SOURCE

        sources.register(SOURCE)
        # schools.yaml (the previous school's picker) is city data of the catalog
        from madoguchi.catalog import extensions

        # the 異動 record's plugin (ido_file) and its retry join the hand-off registry
        from . import checks, ido_handoff  # noqa: F401
        from .schools import FILE, check

        extensions.register(extensions.Extension(FILE, check))
