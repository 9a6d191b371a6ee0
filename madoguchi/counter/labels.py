"""Japanese labels (English via gettext) for the facts a clerk sees on the counter pages.

The rules' vocabulary (``madoguchi.rules.facts``) names flags as predicates
(「マイナンバーカードを持っている」); a chip beside a person needs a short noun
(「マイナンバーカード」). Unknown ids fall back to the rules' label, never to a raw id
when a label exists.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.catalog.labels import because_text, event_name  # noqa: F401  (used by the counter's pages)
from madoguchi.rules import facts

FLAG_LABELS = {
    "my_number_card": gettext_lazy("マイナンバーカード"),
    "pension_mynumber_linked": gettext_lazy("年金番号とマイナンバー紐付け済"),
    "seal_registered": gettext_lazy("印鑑登録済"),
    "wants_seal": gettext_lazy("印鑑登録を希望"),
    "adult_ward": gettext_lazy("成年被後見人"),
    "ltc_certified": gettext_lazy("要介護・要支援認定"),
    "disability_handbook": gettext_lazy("障害者手帳"),
    "disability_medical": gettext_lazy("自立支援医療等受給者証"),
    "disability_allowance": gettext_lazy("特別障害者手当等"),
    "child_allowance_recipient": gettext_lazy("児童手当受給者"),
    "child_support_allowance_recipient": gettext_lazy("児童扶養手当受給者"),
    "single_parent_medical_recipient": gettext_lazy("ひとり親家庭等医療費助成"),
    "child_medical_holder": gettext_lazy("子ども医療費受給者証"),
    "primary_earner": gettext_lazy("生計中心者"),
    "public_servant": gettext_lazy("公務員"),
    "private_school": gettext_lazy("私立・国立の学校"),
    "nursery_enrolled": gettext_lazy("保育所等に通所"),
    "nursery_wanted": gettext_lazy("保育所等の入所希望"),
    "pregnant": gettext_lazy("妊娠中"),
    "pension_recipient": gettext_lazy("公的年金受給者"),
    "resident_tax_payer": gettext_lazy("住民税納税者"),
    "elderly_services": gettext_lazy("高齢者福祉サービス利用"),
    "owns_real_estate": gettext_lazy("市内に土地・家屋"),
    "owns_moped": gettext_lazy("原付・小型特殊自動車"),
    "housing_tenant": gettext_lazy("市営住宅の名義人"),
    "dog_owner": gettext_lazy("犬の所有者"),
}

FIELD_LABELS = {
    "relationship": gettext_lazy("続柄"),
    "health_insurance": gettext_lazy("健康保険"),
    "health_insurance_before": gettext_lazy("健康保険（変更前）"),
    "pension": gettext_lazy("年金"),
    "pension_before": gettext_lazy("年金（変更前）"),
    "nationality": gettext_lazy("国籍"),
    "sex": gettext_lazy("性別"),
    "zokugara_after": gettext_lazy("異動後の続柄"),
    # the newborn entry (counter/services/entry.py): corrections and the parents' count
    "prior_children": gettext_lazy("同じ父母のこれまでの子"),
    "register.name": gettext_lazy("氏名"),
    "register.kana": gettext_lazy("ふりがな"),
    "register.birth_time": gettext_lazy("出生の時刻"),
    "register.birth_place": gettext_lazy("出生の場所"),
}

VALUE_LABELS = {
    # relationships, sexes and pension categories: the rules' one list (rules.facts)
    "relationship": {k: gettext_lazy(v) for k, v in facts.RELATIONSHIP_LABELS.items()},
    "health_insurance": {
        "nhi": gettext_lazy("国保"),
        "employee": gettext_lazy("被用者保険"),
        "elderly": gettext_lazy("後期高齢"),
        "assistance": gettext_lazy("生活保護"),
        "none": gettext_lazy("なし"),
    },
    "pension": {k: gettext_lazy(v) for k, v in facts.PENSION_LABELS.items()},
    "sex": {k: gettext_lazy(v) for k, v in facts.SEX_LABELS.items()},
}
VALUE_LABELS["health_insurance_before"] = VALUE_LABELS["health_insurance"]
VALUE_LABELS["pension_before"] = VALUE_LABELS["pension"]


def choices(field: str) -> list[tuple[str, str]]:
    """(value, label) pairs of a fact, for selects."""
    return list(VALUE_LABELS[field].items())


def flag_label(flag: str) -> str:
    from madoguchi.rules.facts import FLAGS

    if flag in FLAG_LABELS:
        return str(FLAG_LABELS[flag])
    return _(FLAGS[flag]) if flag in FLAGS else flag


def field_label(field: str) -> str:
    if field.startswith("flags."):
        return flag_label(field[6:])
    return str(FIELD_LABELS[field]) if field in FIELD_LABELS else field


def value_label(field: str, value) -> str:
    """A fact's value as the clerk reads it (はい/いいえ for flags, （なし） for empty)."""
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if value in ("", None):
        return _("（なし）")
    if isinstance(value, dict) and set(value) == {"male", "female"}:  # prior_children
        return _("男%(m)s人・女%(f)s人") % {"m": value["male"], "f": value["female"]}
    table = VALUE_LABELS.get(field, {})
    return str(table[value]) if value in table else str(value)


def edit_text(edit: dict) -> str:
    """「犬の所有者: いいえ → はい（聞き取り）」 for one recorded edit of a person's facts."""
    field = edit.get("field", "")
    return _("%(f)s: %(b)s → %(a)s（%(r)s）") % {
        "f": field_label(field),
        "b": value_label(field, edit.get("before")),
        "a": value_label(field, edit.get("after")),
        "r": edit.get("reason", ""),
    }


def _date_or_text(value):
    """A date from a date or ISO text; other text is returned as it is."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def birth_date_text(value) -> str:
    """和暦（西暦年） as on the register pages; an ISO string is accepted."""
    from madoguchi.core.wareki import display_date

    value = _date_or_text(value) if value else ""
    return display_date(value) if isinstance(value, date) else value


def date_input_text(value) -> str:
    """A date as the value of a date field the clerk types in 和暦 (令和9年3月29日): the
    browser's locale never decides how a date is shown (``core.wareki``)."""
    from madoguchi.core.wareki import WarekiError, format_wareki

    value = _date_or_text(value) if value else ""
    if not isinstance(value, date):
        return value
    try:
        return format_wareki(value)
    except WarekiError:
        return value.isoformat()


def input_text(pairs: list[tuple[str, str]], names: dict[str, str]) -> str:
    """A refused input (a conflict) as the clerk typed it: 「星野　健一・年金・第1号・退職」,
    not ``pid=p1 field=pension value=1``."""
    posted = dict(pairs)
    out = []
    for key, value in pairs:
        if key in ("pid", "pids", "deceased", "newborn", "mother", "custodial_parent"):
            out.append(names.get(value, value))
        elif key == "field":
            out.append(field_label(value))
        elif key == "value" and "field" in posted:
            out.append(value_label(posted["field"], value))
        elif key == "flag":
            out.append(flag_label(value))
        elif key in ("events", "event"):
            out.append(event_name(value))
        elif value:
            out.append(value)
    return "・".join(out)
