"""Data that carries its own translations (catalog entries with an ``en:`` block).

``{% load data_i18n %}{{ proc|translated:"name" }}`` shows a catalog entry's English text
when the UI is in English and the entry has one, and its own (Japanese) text otherwise.
The catalog format (docs/catalog.md) carries ``en:`` blocks; any other UI language shows
the Japanese text.
"""

from django import template
from django.utils.translation import get_language

from madoguchi.catalog.i18n import field_of, latest_text_in, text_in

register = template.Library()


def english_ui() -> bool:
    """Is the active UI language English (the language catalog data is translated to)?"""
    return (get_language() or "ja").split("-")[0] == "en"


@register.filter
def translated(obj, field: str):
    """``obj``'s ``field`` in the active language (see the module docstring)."""
    value = field_of(obj, field)
    return text_in(obj, field, "en", value) if english_ui() else value


@register.filter
def procedure_name(procedure_id: str, fallback: str = ""):
    """``{{ task.procedure_id|procedure_name:task.name }}``: on an English page the
    catalog procedure's ``en:`` name, else ``fallback`` (the name stored in Japanese)."""
    if english_ui():
        from madoguchi.catalog.loader import current_catalog

        versions = current_catalog().procedures.get(procedure_id) or []
        return latest_text_in(versions, "name", "en") or fallback
    return fallback
