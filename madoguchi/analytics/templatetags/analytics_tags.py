from django import template

register = template.Library()


@register.filter
def minutes(value):
    return "—" if value is None else f"{value:.1f}"


@register.filter
def bar(value, peak):
    if not value or not peak:
        return 0
    return int(240 * value / peak)
