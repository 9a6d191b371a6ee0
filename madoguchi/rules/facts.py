"""The vocabulary of the situation contract and of the facts rules may read.

Rules read three things (all JSON Logic ``var`` paths):

- ``person.<fact>``: the person the rule is evaluated for (PERSON_FACTS);
- ``event.<detail>``: the event's details (EVENT_FACTS);
- ``persons``: the list of every person, each with the PERSON_FACTS, for ``some``,
  ``none``, ``all``, ``filter`` and ``reduce`` (inside them ``var`` names a person fact).

Age predicates are pre-computed per person at the event date (``madoguchi.rules.ages``)
so that the rules stay pure JSON Logic.
"""

from .family import CLAIMANT_RELATIONS


def gettext_noop(text: str) -> str:
    """Marks text for makemessages without importing Django: determine stays pure."""
    return text


EVENTS = (
    "move_in",
    "move_in_from_abroad",
    "move_out",
    "move_out_abroad",
    "move_within",
    "birth",
    "death",
    "marriage",
    "divorce",
    "household_change",
)
# The events' Japanese names as the demo catalog (catalog/data/demo/events.yaml) gives them,
# for the rules' own messages (determine stays pure: it cannot read the catalog); a test
# keeps the two equal.
EVENT_NAMES: dict[str, str] = {
    "move_in": "転入（国内の他市区町村から）",
    "move_in_from_abroad": "国外からの転入",
    "move_out": "転出（国内の他市区町村へ）",
    "move_out_abroad": "国外への転出",
    "move_within": "転居（市内での住所変更）",
    "birth": "出生",
    "death": "死亡",
    "marriage": "婚姻",
    "divorce": "離婚",
    "household_change": "世帯変更（世帯分離・世帯合併・世帯主の変更）",
}
MOVE_EVENTS = ("move_in", "move_in_from_abroad", "move_out", "move_out_abroad", "move_within")
MOVE_IN_EVENTS = ("move_in", "move_in_from_abroad")
MOVE_OUT_EVENTS = ("move_out", "move_out_abroad")
# the events of a couple (``couple``): they marry or part
COUPLE_EVENTS = ("marriage", "divorce")
# Facts notified only once they happened: no catalog may let them be notified ahead.
AFTER_THE_FACT_EVENTS = ("birth", "death")

RELATIONSHIPS = ("head", "spouse", "child", "parent", "sibling", "relative", "cohabitant")
SEXES = ("male", "female")
HEALTH_INSURANCE = ("nhi", "employee", "elderly", "assistance", "none")
PENSION = ("1", "2", "3", "none")

# Marked for translation (gettext_noop leaves the text as it is; pages translate it).
FLAGS: dict[str, str] = {
    "my_number_card": gettext_noop("マイナンバーカードを持っている"),
    "pension_mynumber_linked": gettext_noop("基礎年金番号とマイナンバーが紐付いている"),
    "seal_registered": gettext_noop("印鑑登録をしている"),
    "wants_seal": gettext_noop("印鑑登録を希望する"),
    "adult_ward": gettext_noop("成年被後見人である"),
    "ltc_certified": gettext_noop("要介護・要支援認定を受けている"),
    "disability_handbook": gettext_noop("障害者手帳を持っている"),
    "disability_medical": gettext_noop("自立支援医療等の受給者証を持っている"),
    "disability_allowance": gettext_noop("特別障害者手当等を受給している"),
    "child_allowance_recipient": gettext_noop("児童手当を受給している"),
    "child_support_allowance_recipient": gettext_noop("児童扶養手当を受給している"),
    "single_parent_medical_recipient": gettext_noop("ひとり親家庭等医療費助成を受けている"),
    "child_medical_holder": gettext_noop("子ども医療費受給者証を持っている"),
    "primary_earner": gettext_noop("生計中心者である"),
    "public_servant": gettext_noop("公務員である"),
    "private_school": gettext_noop("私立・国立の学校に通っている"),
    "nursery_enrolled": gettext_noop("保育所等に通っている"),
    "nursery_wanted": gettext_noop("保育所等の入所を希望する"),
    "pregnant": gettext_noop("妊娠している"),
    "pension_recipient": gettext_noop("公的年金を受給している"),
    "resident_tax_payer": gettext_noop("住民税を納めている"),
    "elderly_services": gettext_noop("高齢者福祉サービスを利用している"),
    "owns_real_estate": gettext_noop("市内に土地・家屋を所有している"),
    "owns_moped": gettext_noop("原付・小型特殊自動車を所有している"),
    "housing_tenant": gettext_noop("市営住宅の名義人である"),
    "dog_owner": gettext_noop("犬の登録上の所有者である"),
    "special_address_facility": gettext_noop("住所地特例の施設に入所する"),
}

# person facts other than flags: name -> Japanese label
PERSON_FACTS: dict[str, str] = {
    "id": "人",
    "relationship": "続柄",
    "sex": "性別",
    "nationality": "国籍",
    "birth_date": "生年月日",
    "moving": "異動する",
    "health_insurance": "健康保険",
    "health_insurance_before": "異動前の健康保険",
    "pension": "国民年金の種別",
    "pension_before": "異動前の国民年金の種別",
    # roles named by the event details
    "deceased": "死亡した人",
    "newborn": "出生した子",
    "mother": "出産した人",
    "in_couple": "婚姻・離婚の当事者",
    "surname_changes": "氏が変わる人",
    "keeps_married_surname": "婚氏続称をする人",
    "custodial_parent": "子を引き取る親",
    # the household before and after the event (situation.md, "Several households")
    "household": "世帯",
    "household_after": "異動後の世帯",
    "head_after": "異動後の世帯主",
    "changes_household": "世帯が変わる",
    "becomes_head": "新たに世帯主になる",
    # age facts at the event date (madoguchi.rules.ages)
    "age": "満年齢",
    "completed_15": "満15歳以上",
    "reached_65": "65歳に達している",
    "child_age": "児童手当の対象年齢",
    "child_medical_age": "子ども医療費助成の対象年齢",
    "kid": "児童手当の対象年齢の子（親が世帯にいる）",
    "support_kid": "児童扶養手当の対象年齢の子（親が世帯にいる）",
    "kid_of_couple": "夫婦の一方を親とする児童手当の対象年齢の子",
    "support_kid_of_couple": "夫婦の一方を親とする児童扶養手当の対象年齢の子",
    "claimant_of_moving_kid": "異動する子の児童手当の請求者",
    "claimant_of_staying_kid": "異動しない（残る）子の児童手当の請求者",
    "claimant_of_newborn": "生まれた子の児童手当の請求者",
    "claimant_of_deceased_kid": "亡くなった子の児童手当の請求者",
    "claimant_of_orphaned_kid": "亡くなった方を親とする子の児童手当の請求者",
    "claimant_of_orphaned_support_kid": "亡くなった方を親とする子の児童扶養手当の請求者",
    "school_entry_notice": "次の4月1日に就学する子（10月1日以後）",
    "school_age": "学齢",
    "school_stage": "学齢の区分",
    "school_start": "就学日",
    "preschool": "就学前",
    "pension_age": "国民年金の加入年齢",
    "care_insured": "介護保険第1号被保険者の年齢",
    "elderly_medical_age": "後期高齢者医療の年齢",
    **FLAGS,
}

EVENT_FACTS: dict[str, str] = {
    "id": "届出の種類",
    "date": "異動日",
    "same_prefecture": "同一都道府県内の異動",
    "school_district_changes": "通学区域が変わる",
    "lump_sum_difference": "出産育児一時金の差額がある",
    "single_parent": "ひとり親として子を育てる",
    "birth_weight_g": "出生時の体重（g）",
    "premature_hospitalized": "未熟児として入院している",
    "planned_move_out_date": "転出予定日",
    "death_known_date": "死亡の事実を知った日",
}

# Relational facts computed by madoguchi.rules.family, and the flags they depend on (the
# interview asks a flag when a rule reads a fact that depends on it).
DERIVED_READS: dict[str, frozenset] = {
    name: frozenset({"primary_earner"}) for name in CLAIMANT_RELATIONS
}

# The one list of the labels of relationships, sexes and pension categories: the rules'
# messages, the counter's screens (``counter/labels.py``) and its selects read these.
RELATIONSHIP_LABELS: dict[str, str] = {
    "head": gettext_noop("世帯主"),
    "spouse": gettext_noop("配偶者"),
    "child": gettext_noop("子"),
    "parent": gettext_noop("父母"),
    "sibling": gettext_noop("兄弟姉妹"),
    "relative": gettext_noop("その他の親族"),
    "cohabitant": gettext_noop("同居人"),
}
SEX_LABELS: dict[str, str] = {"male": gettext_noop("男"), "female": gettext_noop("女")}
PENSION_LABELS: dict[str, str] = {
    "1": gettext_noop("第1号"),
    "2": gettext_noop("第2号"),
    "3": gettext_noop("第3号"),
    "none": gettext_noop("なし"),
}

VALUE_LABELS: dict[str, str] = {
    "nhi": "国民健康保険",
    "employee": "被用者保険",
    "elderly": "後期高齢者医療",
    "assistance": "生活保護",
    **PENSION_LABELS,
    **RELATIONSHIP_LABELS,
    **SEX_LABELS,
    "JP": "日本",
    "elementary": "小学校",
    "junior_high": "中学校",
}

SCHOOL_STAGE_JA = {"elementary": "小学校", "junior_high": "中学校"}
