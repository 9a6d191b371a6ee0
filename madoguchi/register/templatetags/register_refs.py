"""``{% person_url atena_no %}``, ``{% household_url household_no %}``,
``{% certificate_url atena_no %}``: links without the identifier in the path
(register/refs.py)."""

from django import template
from django.urls import reverse

from madoguchi.register.refs import ref_for

register = template.Library()


def _ref(context, kind: str, value) -> str:
    return ref_for(context["request"].session, kind, value)


@register.simple_tag(takes_context=True)
def person_url(context, atena_no) -> str:
    return reverse("register:person_ref", kwargs={"ref": _ref(context, "person", atena_no)})


@register.simple_tag(takes_context=True)
def household_url(context, household_no) -> str:
    ref = _ref(context, "household", household_no)
    return reverse("register:household_ref", kwargs={"ref": ref})


@register.simple_tag(takes_context=True)
def certificate_url(context, atena_no) -> str:
    return reverse("certificates:new", kwargs={"ref": _ref(context, "person", atena_no)})
