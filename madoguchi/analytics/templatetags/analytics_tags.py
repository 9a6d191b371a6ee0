from django import template

register = template.Library()


@register.filter
def minutes(value):
    return "—" if value is None else f"{value:.1f}"


@register.filter
def num(value):
    return "—" if value is None else f"{value:,}"


@register.filter
def cell(value):
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    return value


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
