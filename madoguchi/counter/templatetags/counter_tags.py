from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

# Marked for makemessages; translated when shown (detail_label).
DETAIL_LABELS = {
    "deceased": gettext_noop("亡くなった方"),
    "newborn": gettext_noop("生まれた子"),
    "mother": gettext_noop("母"),
    "birth_weight_g": gettext_noop("出生体重（g）"),
    # Who the child lives with, not who holds 親権: since 2026-04-01 (令和6年法律第33号)
    # 親権 may stay with both parents after a divorce, while the allowances follow the
    # parent who cares for the child.
    "custodial_parent": gettext_noop("子を引き取る親（監護する親）"),
    "couple": gettext_noop("夫婦となる・であった2人"),
    "surname_changes": gettext_noop("氏が変わる人"),
    "keeps_married_surname": gettext_noop("婚氏続称の人"),
    "same_prefecture": gettext_noop("同じ都道府県内の異動"),
    "school_district_changes": gettext_noop("学区が変わる"),
    "lump_sum_difference": gettext_noop("出産費用が一時金を下回った（差額あり）"),
    "single_parent": gettext_noop("ひとり親で育てる"),
    "premature_hospitalized": gettext_noop("未熟児として入院している（養育医療）"),
    "planned_move_out_date": gettext_noop("転出予定日（転出証明書）"),
    "death_known_date": gettext_noop("死亡の事実を知った日"),
}


@register.filter
def get_item(mapping, key):
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def detail_label(key):
    return _(DETAIL_LABELS.get(key, key))


@register.filter
def flag_label(flag):
    """A flag id as a short Japanese noun (「犬の所有者」)."""
    from madoguchi.counter.labels import flag_label as label

    return label(flag)


@register.filter
def edit_text(edit):
    """One recorded edit: 「犬の所有者: いいえ → はい（聞き取り）」."""
    from madoguchi.counter.labels import edit_text as text

    return text(edit)


@register.filter
def fact_value(value, field):
    """A fact's value as its label (``{{ p.health_insurance_before|fact_value:"health_insurance" }}``)."""
    from madoguchi.counter.labels import value_label

    return value_label(field, value)


@register.filter
def wareki_date(value):
    """A date (or ISO text) as 和暦（西暦年）, as the register pages show birth dates."""
    from madoguchi.counter.labels import birth_date_text

    return birth_date_text(value)


@register.filter
def wareki_input(value):
    """A date as the value of a date field, in 和暦 (``labels.date_input_text``)."""
    from madoguchi.counter.labels import date_input_text

    return date_input_text(value)
