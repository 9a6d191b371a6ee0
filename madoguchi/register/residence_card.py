"""What a 在留カード (or 特別永住者証明書) says, as the counter and the imports know it:
the lists of 30条45区分 and 在留資格 the counter offers and the imports check
(a value not in them is an error), and the 在留カード等番号 on screens.

The register holds it (住民基本台帳法 第30条の45: a foreign resident's record carries it)
and the 住民異動届 and a 住民票の写し that asks for it print it in full; every screen
that does not need it shows it masked (AB********CD) — the counter, the register's
person page, the API's person — and the register's 「表示」 shows it in full, audited
(``register.person.card_no``).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

# 住民基本台帳法第30条の45 の区分 (docs/register-codes.md)
ART30_45_CLASSES = (
    gettext_noop("中長期在留者"),
    gettext_noop("特別永住者"),
    gettext_noop("一時庇護許可者"),
    gettext_noop("仮滞在許可者"),
    gettext_noop("経過滞在者"),
)
# 在留資格 (出入国管理及び難民認定法 別表第一・第二), as the 在留カード prints them
RESIDENCE_STATUSES = (
    gettext_noop("永住者"),
    gettext_noop("日本人の配偶者等"),
    gettext_noop("永住者の配偶者等"),
    gettext_noop("定住者"),
    gettext_noop("特別永住者"),
    gettext_noop("技術・人文知識・国際業務"),
    gettext_noop("企業内転勤"),
    gettext_noop("経営・管理"),
    gettext_noop("高度専門職"),
    gettext_noop("特定技能"),
    gettext_noop("技能実習"),
    gettext_noop("育成就労"),
    gettext_noop("技能"),
    gettext_noop("介護"),
    gettext_noop("教授"),
    gettext_noop("研究"),
    gettext_noop("教育"),
    gettext_noop("医療"),
    gettext_noop("留学"),
    gettext_noop("家族滞在"),
    gettext_noop("特定活動"),
    gettext_noop("文化活動"),
    gettext_noop("宗教"),
    gettext_noop("報道"),
    gettext_noop("芸術"),
    gettext_noop("興行"),
    gettext_noop("法律・会計業務"),
    gettext_noop("外交"),
    gettext_noop("公用"),
)


def mask_card_no(value: str) -> str:
    """The 在留カード等番号 as screens show it: the first two and last two characters
    (AB********CD); a value too short to mask is shown as it is."""
    v = str(value or "")
    return v if len(v) < 4 else f"{v[:2]}{'*' * (len(v) - 4)}{v[-2:]}"
