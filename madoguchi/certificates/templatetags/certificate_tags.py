"""Certificate kind names in the UI language (the catalog's ``en:`` in English)."""

from django import template

from madoguchi.certificates.catalog import current

register = template.Library()


@register.filter
def kind_label(kind_id: str, fallback: str = "") -> str:
    """``{{ c.kind|kind_label:c.kind_name }}``: the stored Japanese name is the fallback
    for a kind the catalog no longer has."""
    return current().kind_label(kind_id, fallback)
