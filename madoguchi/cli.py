"""The ``madoguchi`` command.

Every sub-command is a Django management command owned by the app it concerns
(``madoguchi register import`` is ``register`` in ``madoguchi.register``), so the
command line, the UI and the API call the same service functions. Django's own
commands (``migrate``, ``check``, ``createsuperuser`` …) pass through unchanged.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["version"]):
        from importlib.metadata import version

        print(f"madoguchi {version('madoguchi')}")
        return
    if not args:
        args = ["help"]
    execute_from_command_line(["madoguchi", *args])


if __name__ == "__main__":
    main()
