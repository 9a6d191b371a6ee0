"""Fields captured once per visit and printed on every form that asks for them.

The printed forms ask for what the register does not hold: 電話番号, 本籍・筆頭者 on a
move-in, the 児童手当 claimant's 職業 and bank account, the dog, the previous school,
葬祭費 (喪主, 葬祭の日, 被保険者番号, account), 火葬 (死亡の場所, 死因, 火葬の日と場所),
基礎年金番号. Which are asked comes from the forms themselves: for each procedure of the
visit's result, each of its forms' bindings (``form.yaml`` ``from: person.bank_no`` …)
names the register key and whose it is (the form's subject, the 届出人, the deceased,
the moving members); a key that person's register block already holds is shown, not
asked. The answer is kept in the person's ``register`` block (the 届出人's phone, or the
outside applicant's), which is what every form prints: one answer, every form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop


@dataclass(frozen=True)
class CaptureField:
    key: str  # the register key the forms bind (catalog.forms.REGISTER_KEYS)
    label: object  # lazy Japanese label
    kind: str = "text"  # text | phone | date | month | digits | choice | kana | alnum
    choices: tuple[str, ...] = ()
    sizes: tuple[int, ...] = ()  # allowed digit counts (digits)
    max_len: int = 60
    japanese_only: bool = False  # 本籍・筆頭者: only persons of Japanese nationality have them


FIELDS: tuple[CaptureField, ...] = (
    CaptureField("phone", gettext_lazy("電話番号"), "phone"),
    CaptureField("honseki", gettext_lazy("本籍"), max_len=100, japanese_only=True),
    CaptureField("hittousha", gettext_lazy("筆頭者"), max_len=40, japanese_only=True),
    CaptureField(
        "occupation",
        gettext_lazy("職業"),
        "choice",
        choices=(
            gettext_noop("会社員"),
            gettext_noop("自営業"),
            gettext_noop("公務員"),
            gettext_noop("その他"),
        ),
    ),
    CaptureField("bank_name", gettext_lazy("金融機関名"), max_len=30),
    CaptureField("bank_branch", gettext_lazy("支店名"), max_len=30),
    CaptureField(
        "bank_account_type",
        gettext_lazy("口座種別"),
        "choice",
        choices=(gettext_noop("普通"), gettext_noop("当座")),
    ),
    CaptureField("bank_account_no", gettext_lazy("口座番号"), "digits", sizes=(7,)),
    CaptureField("bank_account_holder", gettext_lazy("口座名義（カナ）"), "kana"),
    CaptureField("school", gettext_lazy("在籍校（前の学校）"), max_len=40),
    CaptureField("dog_name", gettext_lazy("犬の名前"), max_len=20),
    CaptureField("dog_breed", gettext_lazy("犬の種類"), max_len=20),
    CaptureField("dog_colour", gettext_lazy("犬の毛色"), max_len=20),
    CaptureField(
        "dog_sex",
        gettext_lazy("犬の性別"),
        "choice",
        choices=(gettext_noop("オス"), gettext_noop("メス")),
    ),
    CaptureField("dog_birth_date", gettext_lazy("犬の生年月日"), "date"),
    CaptureField("dog_registration_no", gettext_lazy("犬の登録番号（鑑札）"), "alnum", max_len=20),
    CaptureField("rabies_shot_date", gettext_lazy("狂犬病予防注射の日"), "date"),
    CaptureField("rabies_tag_no", gettext_lazy("注射済票番号"), "alnum", max_len=20),
    CaptureField("funeral_host", gettext_lazy("喪主"), max_len=40),
    CaptureField("funeral_date", gettext_lazy("葬祭の日"), "date"),
    CaptureField("nhi_no", gettext_lazy("国保 記号番号"), "alnum", max_len=20),
    CaptureField("elderly_no", gettext_lazy("後期高齢者医療 被保険者番号"), "digits", sizes=(8,)),
    CaptureField("death_place", gettext_lazy("死亡の場所"), max_len=60),
    CaptureField(
        "death_cause",
        gettext_lazy("死因"),
        "choice",
        choices=(gettext_noop("一類感染症等"), gettext_noop("その他")),
    ),
    CaptureField("cremation_date", gettext_lazy("火葬の日"), "date"),
    CaptureField("cremation_place", gettext_lazy("火葬の場所"), max_len=60),
    CaptureField("pension_no", gettext_lazy("基礎年金番号"), "digits", sizes=(10,)),
    # the 出生届, asked once of the mother (twins share it)
    CaptureField("cohabit_since", gettext_lazy("同居を始めたとき（年月）"), "month"),
    CaptureField(
        "household_work",
        gettext_lazy("世帯のおもな仕事"),
        "choice",
        choices=("1", "2", "3", "4", "5", "6"),
    ),
)
BY_KEY = {f.key: f for f in FIELDS}
# 出生届 (8) 世帯のおもな仕事 → the 職業 of the household's main earner (生計中心者) where
# the category says it: 1 農業・2 個人で経営 → 自営業, 3 常用勤労者 → 会社員 (4 mixes
# 会社員・役員・公務員, 5 and 6 say no job of the list: asked)
JOB_OF_HOUSEHOLD_WORK = {"1": "自営業", "2": "自営業", "3": "会社員"}
OUTSIDE = "outside"  # the key of someone from outside the household (their account)
VISIT = "visit"  # the visit's own: the contact phone printed as every form's 電話番号
OUTSIDE_KEYS = frozenset(
    {"bank_name", "bank_branch", "bank_account_type", "bank_account_no",
     "bank_account_holder"}
)  # fmt: skip

# A form binding that joins alternatives (the 被保険者番号 of 国保 or 後期): the one asked
# is the one of the person's insurance.
_INSURANCE_KEY = {"nhi_no": "nhi", "elderly_no": "elderly"}


def _sources(spec: dict) -> list[str]:
    src = spec.get("from")
    return [s for s in (src if isinstance(src, list) else [src]) if isinstance(s, str)]


def _forms(visit):
    """The forms of the catalog version the visit was determined with."""
    from madoguchi.documents.services import _catalog_dir, forms_of

    from .determination import catalog_of

    return forms_of(_catalog_dir(catalog_of(visit)))


def _notifier(visit, persons: dict, head: str, deceased) -> str:
    applicant = (visit.state or {}).get("applicant") or {}
    if applicant.get("person") in persons:
        return applicant["person"]
    if applicant.get("name"):
        return OUTSIDE
    return "" if head == deceased else head


def needed(visit, persons: list | None = None) -> list[tuple[str, str, list[str]]]:
    """[(pid or "visit" or "outside", key, form names)] the visit's forms ask for, in
    person and field order. ``persons``: the visit's persons when already read."""
    result = visit.result or {}
    if not result.get("procedures"):
        return []
    forms = _forms(visit)
    persons = {vp.pid: vp for vp in (visit.persons.all() if persons is None else persons)}
    deceased = next(
        (e.details.get("deceased") for e in visit.events.all() if e.details.get("deceased")), None
    )
    head = next((p for p, vp in persons.items() if vp.data.get("relationship") == "head"), "")
    notifier = _notifier(visit, persons, head, deceased)
    parents = _birth_parents(visit, persons)
    out: dict[tuple[str, str], list[str]] = {}
    for proc in result["procedures"]:
        for fid in proc.get("forms") or []:
            form = forms.get(fid)
            if form is None:
                continue
            subjects = [p for p in proc.get("persons") or [] if p in persons] or [head]
            specs = [(s, False) for s in form.fields]
            specs += [(s, True) for s in (form.members or {}).get("fields", [])]
            for spec, member in specs:
                for path in _sources(spec):
                    root, _dot, key = path.partition(".")
                    if key not in BY_KEY:
                        continue
                    if key == "phone":  # one contact number per visit, on every form
                        whose = [VISIT]
                    elif member:
                        whose = subjects if root == "member" else []
                    elif root == "person":
                        whose = subjects if form.per == "person" else subjects[:1]
                    elif root == "notifier":
                        whose = [notifier] if notifier else []
                    elif root == "deceased":
                        whose = [deceased] if deceased else []
                    elif root in ("head", "guardian"):
                        whose = [head]
                    elif root in ("father", "mother"):
                        # 父母の職業 only in a census year (rules.birth)
                        census = key != "occupation" or _census(visit)
                        whose = [parents[root]] if parents.get(root) and census else []
                    else:
                        whose = []
                    for pid in whose:
                        if _applies(persons.get(pid), key):
                            out.setdefault((pid, key), [])
                            if form.name not in out[(pid, key)]:
                                out[(pid, key)].append(form.name)
    order = {f.key: i for i, f in enumerate(FIELDS)}
    pid_order = {VISIT: -2, OUTSIDE: -1} | {p: i for i, p in enumerate(persons)}
    keys = sorted(out, key=lambda k: (pid_order.get(k[0], -1), order[k[1]]))
    return [(pid, key, out[(pid, key)]) for pid, key in keys]


def _birth_parents(visit, persons: dict) -> dict:
    """The newborns' mother and father among the visit's persons (the 出生届's 父母)."""
    ev = next((e for e in visit.events.all() if e.event == "birth"), None)
    if ev is None:
        return {}
    mother = ev.details.get("mother")
    out = {"mother": mother} if mother in persons else {}
    for vp in persons.values():
        if vp.source == "newborn":
            father = next((p for p in vp.data.get("parents", []) if p != mother), None)
            if father in persons:
                out["father"] = father
            break
    return out


def _census(visit) -> bool:
    from madoguchi.rules.birth import census_year_birth

    return bool(visit.event_date) and census_year_birth(visit.event_date)


def _applies(vp, key: str) -> bool:
    """Whether a field is asked of this person (None: the outside applicant, the visit)."""
    field = BY_KEY[key]
    if vp is None:
        return key in OUTSIDE_KEYS or key == "phone"
    data = vp.data
    if field.japanese_only and data.get("nationality", "JP") != "JP":
        return False
    if key in _INSURANCE_KEY:  # a number exists only for someone insured here already
        return vp.source == "register" and data.get("health_insurance") == _INSURANCE_KEY[key]
    return True


def current(visit, pid: str, key: str, persons: list | None = None) -> str:
    if pid == VISIT:
        return str((visit.state or {}).get("contact_phone") or "")
    if pid == OUTSIDE:
        return str(((visit.state or {}).get("applicant") or {}).get(key) or "")
    everyone = visit.persons.all() if persons is None else persons
    vp = next((p for p in everyone if p.pid == pid), None)
    return str(((vp.data.get("register") or {}) if vp else {}).get(key) or "")


# ------------------------------------------------------------------ validation

_PHONE_RE = re.compile(r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$")
_ALNUM_RE = re.compile(r"^[0-9A-Za-z\-第号]+$")
_TO_ASCII = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"ー": "-", "－": "-", "‐": "-"}
)


def _year_month(value: str, field_name: str, label: str) -> str:
    """A year and month as clerks type them (R5.4, 令和5年4月, 2023-04, or a whole date),
    printed as the 出生届 writes it: 令和5年4月."""
    from madoguchi.core.wareki import WarekiError, parse_wareki, to_wareki

    from .services import CounterError

    text = value.translate(_TO_ASCII).replace(" ", "")
    tries = [text]
    if text.endswith("月"):
        tries.append(text + "1日")
    elif re.fullmatch(r"\d{4}-\d{1,2}", text):
        tries.append(text + "-01")
    elif re.fullmatch(r"[A-Za-z]\d{1,2}[./]\d{1,2}", text):
        tries.append(text + ".1")
    for candidate in reversed(tries):
        try:
            d = parse_wareki(candidate)
        except WarekiError:
            continue
        name, year, month, _day = to_wareki(d)
        return f"{name}{'元' if year == 1 else year}年{month}月"
    raise CounterError(
        _("%(l)s は R5.4 や 令和5年4月 のように年と月を入力してください") % {"l": label},
        field_name,
    )


# numbers whose grouping the prefix alone tells (携帯・IP電話 3-4-4, フリーダイヤル);
# a landline's 市外局番 is 2 to 5 digits long: typed with its hyphens, or kept as typed
_PHONE_GROUPS = (
    (("070", "080", "090", "050", "060", "020"), 11, (3, 4, 4)),
    (("0120",), 10, (4, 3, 3)),
    (("0800",), 11, (4, 3, 4)),
)


def hyphenate_phone(digits: str) -> str:
    """A phone typed as digits alone, with the hyphens its kind of number takes
    (09012345678 → 090-1234-5678); a landline stays as typed."""
    for prefixes, length, groups in _PHONE_GROUPS:
        if len(digits) == length and digits.startswith(prefixes):
            out, at = [], 0
            for n in groups:
                out.append(digits[at : at + n])
                at += n
            return "-".join(out)
    return digits


def clean(key: str, raw: str, field_name: str, who: str) -> str:
    """A captured value, checked; the error names the person and the field."""
    from .services import CounterError, counter_date
    from .services.entry import katakana

    field = BY_KEY[key]
    label = f"{who}: {field.label}" if who else str(field.label)
    value = (raw or "").strip()
    if not value:
        return ""
    if field.kind == "phone":
        value = value.translate(_TO_ASCII).replace(" ", "")
        digits = value.replace("-", "")
        if not _PHONE_RE.match(value) or len(digits) not in (10, 11):
            raise CounterError(
                _("%(l)s は 0 で始まる10〜11桁の番号です（例: 0157-12-3456）") % {"l": label},
                field_name,
            )
        return value if "-" in value else hyphenate_phone(digits)
    if field.kind == "date":
        return counter_date(value, field_name, label).isoformat()
    if field.kind == "month":
        return _year_month(value, field_name, label)
    if field.kind == "digits":
        value = value.translate(_TO_ASCII).replace("-", "").replace(" ", "")
        if not value.isdigit() or len(value) not in field.sizes:
            raise CounterError(
                _("%(l)s は数字%(n)s桁です")
                % {"l": label, "n": "・".join(str(n) for n in field.sizes)},
                field_name,
            )
        return value
    if field.kind == "choice":
        if value not in field.choices:
            raise CounterError(
                _("%(l)s は %(c)s から選んでください")
                % {"l": label, "c": "・".join(field.choices)},
                field_name,
            )
        return value
    if field.kind == "kana":
        return katakana(value, field_name, label)
    if field.kind == "alnum":
        value = value.translate(_TO_ASCII)
        if not _ALNUM_RE.match(value):
            raise CounterError(_("%(l)s は英数字で入力してください") % {"l": label}, field_name)
    if len(value) > field.max_len:
        raise CounterError(
            _("%(l)s は%(n)s文字までです") % {"l": label, "n": field.max_len}, field_name
        )
    return value
