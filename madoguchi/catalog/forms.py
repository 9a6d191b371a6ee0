"""The vocabulary a form's field bindings may use (``from:`` paths in ``form.yaml`` and
``forms/_lib/fields.yaml``), checked when the catalog loads: a mistyped path is a
CatalogError naming file and line, not an empty box on paper.

The documents engine builds exactly this context (``documents.engine.bundle.build_data``)
and reads the register block's keys from ``REGISTER_KEYS``; a test binds every path of
the vocabulary against a rendered example.
"""

from __future__ import annotations

from madoguchi.rules.situation import ALL_DETAILS, PERSON_KEYS

# Register fields a situation person may carry under ``register:`` (printing only).
REGISTER_KEYS = {
    "atena_no": "宛名番号",
    "zokugara": "続柄（登録どおり）",
    "zokugara_after": "異動後の世帯主との続柄（世帯が変わる人・新しい世帯の人）",
    "name": "氏名（登録どおり、正規化しない）",
    "kana": "氏名フリガナ（全角カタカナ）",
    "former_name": "変更前の氏名（婚姻・離婚で氏が変わる人）",
    "former_kana": "変更前のフリガナ",
    "postal_code": "郵便番号（7桁）",
    "address": "住所（都道府県から番地まで）",
    "address_extra": "方書（建物名・部屋番号）",
    "former_postal_code": "前住所の郵便番号",
    "former_address": "前住所（転入・転居では従前の住所）",
    "new_postal_code": "転出先の郵便番号",
    "new_address": "転出先の住所",
    "honseki": "本籍",
    "hittousha": "筆頭者",
    "former_head": "異動前の世帯主の氏名（転入では前住所の世帯主）",
    "phone": "電話番号",
    "nhi_no": "国民健康保険 記号番号",
    "elderly_no": "後期高齢者医療 被保険者番号",
    "care_no": "介護保険 被保険者番号",
    "pension_no": "基礎年金番号",
    "school": "在籍校（転出元の学校名）",
    "grade": "学年",
    "dog_name": "犬の名前",
    "dog_breed": "犬の種類",
    "dog_registration_no": "犬の登録番号（鑑札番号）",
    "death_place": "死亡の場所",
    "cremation_place": "火葬の場所",
    "funeral_host": "喪主の氏名",
    # captured once at the counter (counter/capture.py) and printed on every form asking
    "occupation": "職業（会社員・自営業・公務員・その他）",
    "bank_name": "金融機関名",
    "bank_branch": "支店名",
    "bank_account_type": "口座種別（普通・当座）",
    "bank_account_no": "口座番号（7桁）",
    "bank_account_holder": "口座名義（カナ）",
    "dog_colour": "犬の毛色",
    "dog_sex": "犬の性別（オス・メス）",
    "dog_birth_date": "犬の生年月日（YYYY-MM-DD）",
    "rabies_shot_date": "狂犬病予防注射の日（YYYY-MM-DD）",
    "rabies_tag_no": "注射済票番号",
    "funeral_date": "葬祭の日（YYYY-MM-DD）",
    "death_cause": "死因（一類感染症等・その他）",
    "cremation_date": "火葬の日（YYYY-MM-DD）",
    # 外国人住民 (住民基本台帳法第30条の45): the 在留カード data
    "nationality_name": "国籍・地域",
    "name_roman": "ローマ字氏名",
    "alt_name": "通称",
    "art30_45_class": "法第30条の45の区分",
    "residence_status": "在留資格",
    "residence_period": "在留期間",
    "residence_expires_on": "在留期間の満了日（YYYY-MM-DD）",
    "residence_card_no": "在留カード等番号",
    # the newborn of a birth, entered at the counter (not yet in the register)
    "birth_time": "出生の時刻（HH:MM）",
    "birth_place": "出生の場所",
    "mother_name": "母の氏名",
    "father_name": "父の氏名（世帯外の父を含む）",
    # the parents' count of their earlier children, where the register's is overridden
    # ({"male": n, "female": m}; rules.birth.parents_zokugara reads it)
    "prior_children": "同じ父母のこれまでの子（父母の申出: 男・女の人数）",
    # a parent from outside: where they live when not an address in Japan
    "address_kind": "住所の種類（unfixed 住所不定・abroad 国外）",
    # the 出生届, captured once on the mother (counter/capture.py)
    "cohabit_since": "同居を始めたとき（年月）",
    "household_work": "子が生まれたときの世帯のおもな仕事",
}

# A newborn of a birth as the 出生届 and the 出生連絡票 see it (documents.engine.bundle,
# from rules.birth); empty for every other person.
NEWBORN_KEYS = (
    "newborn_weight_g",
    "legitimacy",
    "parents_zokugara",
    "father_age",
    "mother_age",
    "notifier_qualification",
    "census_year",
)

# What the forms see of a person: the situation person, its register block and what the
# engine derives (続柄 and 性別 in Japanese, 学年, the address before and after the event).
DERIVED_PERSON_KEYS = frozenset(
    {
        "relationship_ja",
        "sex_ja",
        "school_grade",
        "postal_before",
        "postal_after",
        "address_before",
        "address_after",
        "address_extra_before",
        "address_extra_after",
        "former_head_name",
        # the birth date split by nationality, for forms that print a foreign resident's
        # dates in 西暦 (住民異動届): each is empty for the other persons
        "birth_date_jp",
        "birth_date_foreign",
        *NEWBORN_KEYS,
    }
)
PERSON_CONTEXT_KEYS = (
    frozenset(PERSON_KEYS - {"register"}) | frozenset(REGISTER_KEYS) | DERIVED_PERSON_KEYS
)
# Roots that are persons: the form's subject, 世帯主, 届出人, the new head, the subject's
# spouse, 保護者, the deceased, and one member row.
PERSON_ROOTS = frozenset(
    {
        "person",
        "head",
        "notifier",
        "new_head",
        "spouse",
        "guardian",
        "deceased",
        "member",
        "father",  # the father and the mother of a newborn subject (出生届)
        "mother",
    }
)
OTHER_PATHS = {
    "event": frozenset({"id", "name", "date"}),
    "municipality": frozenset({"name", "code"}),
    "situation": frozenset({"event", "event_date", *ALL_DETAILS}),
}
SCALARS = frozenset({"notified_on", "head_id"})
MEMBER_SOURCES = ("persons", "kids", "household")


def binding_problem(path) -> str | None:
    """Why a ``from:`` path cannot be bound, or None when the vocabulary has it."""
    if not isinstance(path, str) or not path:
        return f"from: は文字列のパスです: {path!r}"
    head, _, rest = path.partition(".")
    if head in SCALARS and not rest:
        return None
    if head in PERSON_ROOTS:
        if rest in PERSON_CONTEXT_KEYS:
            return None
        return f"{head}.{rest or '…'} は人の項目にありません"
    if head in OTHER_PATHS:
        if rest in OTHER_PATHS[head]:
            return None
        return f"{path} は {head} の項目にありません（{', '.join(sorted(OTHER_PATHS[head]))}）"
    roots = sorted(PERSON_ROOTS | set(OTHER_PATHS) | SCALARS)
    return f"{path!r} は使えません（{', '.join(roots)} のいずれかから始めます）"


def check_fields(fields, report) -> None:
    """Check the ``from:`` of each field of a list; ``report(line, message)`` per problem."""
    if not isinstance(fields, list):
        return
    for i, spec in enumerate(fields):
        if not isinstance(spec, dict) or "from" not in spec:
            continue
        sources = spec["from"] if isinstance(spec["from"], list) else [spec["from"]]
        for source in sources:
            problem = binding_problem(source)
            if problem:
                line = spec.line_of("from") if hasattr(spec, "line_of") else 0
                report(
                    line or getattr(fields, "line", 0), f"fields[{spec.get('id', i)}]: {problem}"
                )
