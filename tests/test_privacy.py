"""No 個人番号 (My Number) column anywhere, and no personal data in request logs."""

import re

from django.apps import apps
from django.conf import settings

FORBIDDEN = re.compile(r"個人番号|my_?number_?(no|num|value|code)|kojin_?bango", re.IGNORECASE)


def test_no_my_number_column_in_any_model():
    offenders = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            label = f"{getattr(field, 'name', '')} {getattr(field, 'verbose_name', '')}"
            if FORBIDDEN.search(label):
                offenders.append(f"{model.__name__}.{field.name}")
    assert offenders == []


def test_request_lines_are_not_logged():
    server = settings.LOGGING["loggers"]["django.server"]
    assert server["handlers"] == [] and server["propagate"] is False
