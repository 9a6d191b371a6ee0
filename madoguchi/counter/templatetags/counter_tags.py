from django import template
from django.utils.translation import gettext as _

register = template.Library()

DETAIL_LABELS = {
    "deceased": "亡くなった方",
    "newborn": "生まれた子",
    "mother": "母",
    "birth_weight_g": "出生体重（g）",
    "custodial_parent": "親権者",
    "couple": "夫婦となる・であった2人",
    "surname_changes": "氏が変わる人",
    "keeps_married_surname": "婚氏続称の人",
    "same_prefecture": "同じ都道府県内の異動",
    "school_district_changes": "学区が変わる",
    "lump_sum_difference": "出産費用が一時金を下回った（差額あり）",
    "single_parent": "ひとり親で育てる",
}


@register.filter
def get_item(mapping, key):
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def detail_label(key):
    return _(DETAIL_LABELS.get(key, key))
