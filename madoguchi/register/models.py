"""The resident register (住民記録) as imported from the core system.

Names are stored exactly as registered (code points kept, never normalised); search
runs on the folded keys ``name_key`` / ``kana_key`` (see ``madoguchi.core.text``).
There is no 個人番号 field, on purpose.
Every row carries ``municipality_code`` so a municipality's rows can live apart.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResidentStatus(models.TextChoices):
    RESIDENT = "1", _("住民")
    MOVED_OUT = "2", _("転出者")
    DECEASED = "3", _("死亡者")
    OTHER_REMOVED = "9", _("その他消除者")
    PENDING = "P", _("転入予定（転出証明書情報）")


class ResidentKind(models.TextChoices):
    JAPANESE = "1", _("日本人")
    FOREIGN = "2", _("外国人")


class Sex(models.TextChoices):
    MALE = "1", _("男")
    FEMALE = "2", _("女")


class Relationship(models.TextChoices):
    """The person's relationship to the head, as the situation contract names it."""

    HEAD = "head", _("世帯主")
    SPOUSE = "spouse", _("配偶者")
    CHILD = "child", _("子")
    PARENT = "parent", _("父母")
    SIBLING = "sibling", _("兄弟姉妹")
    RELATIVE = "relative", _("その他の親族・縁故者")
    COHABITANT = "cohabitant", _("同居人")


class PensionCategory(models.TextChoices):
    NONE = "", _("なし")
    FIRST = "1", _("第1号")
    SECOND = "2", _("第2号")
    THIRD = "3", _("第3号")


class Household(models.Model):
    municipality_code = models.CharField(max_length=6, default="999999")
    household_no = models.CharField(_("世帯番号"), max_length=16)
    is_pending = models.BooleanField(_("転入予定世帯"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("世帯")
        indexes = [models.Index(fields=["household_no"], name="household_no_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "household_no"], name="uniq_household_no"
            )
        ]

    def __str__(self) -> str:
        return self.household_no


class Person(models.Model):
    municipality_code = models.CharField(max_length=6, default="999999")
    atena_no = models.CharField(_("宛名番号"), max_length=16)
    history_no = models.PositiveIntegerField(_("履歴番号"), default=1)
    household = models.ForeignKey(
        Household, related_name="members", on_delete=models.PROTECT, verbose_name=_("世帯")
    )
    resident_kind = models.CharField(
        _("住民種別"), max_length=1, choices=ResidentKind.choices, default=ResidentKind.JAPANESE
    )
    status = models.CharField(
        _("住民状態"),
        max_length=1,
        choices=ResidentStatus.choices,
        default=ResidentStatus.RESIDENT,
        db_index=True,
    )
    juminhyo_code = models.CharField(_("住民票コード"), max_length=11, blank=True)

    # Names as registered: never normalised.
    name = models.CharField(_("氏名"), max_length=100)
    surname = models.CharField(_("氏"), max_length=50, blank=True)
    given_name = models.CharField(_("名"), max_length=50, blank=True)
    name_roman = models.CharField(_("氏名（ローマ字）"), max_length=200, blank=True)
    name_kana = models.CharField(_("氏名フリガナ"), max_length=200, blank=True)
    kana_confirmed = models.BooleanField(_("フリガナ確認済"), default=False)
    alt_name = models.CharField(_("旧氏・通称"), max_length=100, blank=True)
    # Search keys (folded): kanji reduced (髙→高, 﨑→崎, 𠮷→吉, IVS removed), kana folded.
    name_key = models.CharField(max_length=100, db_index=True, blank=True)
    kana_key = models.CharField(max_length=200, db_index=True, blank=True)
    alt_name_key = models.CharField(max_length=100, db_index=True, blank=True)
    # The 名 alone (for "名 only" and "氏 名" searches): folded like name_key / kana_key.
    given_key = models.CharField(max_length=50, db_index=True, blank=True)
    given_kana_key = models.CharField(max_length=100, db_index=True, blank=True)

    birth_date = models.DateField(_("生年月日"), db_index=True)
    birth_date_uncertain = models.BooleanField(_("生年月日不詳"), default=False)
    birth_date_text = models.CharField(_("生年月日（原文）"), max_length=40, blank=True)
    birth_era = models.CharField(_("生年月日の元号"), max_length=2, blank=True)
    sex = models.CharField(_("性別"), max_length=1, choices=Sex.choices)
    relationship_code = models.CharField(_("続柄コード"), max_length=4, blank=True)
    relationship = models.CharField(_("続柄"), max_length=40)
    # The 続柄 reduced to the situation contract's relationship (head, spouse, child …).
    relationship_role = models.CharField(
        _("続柄区分"), max_length=12, choices=Relationship.choices, blank=True
    )
    household_order = models.PositiveIntegerField(_("記載順位"), default=0)

    postal_code = models.CharField(_("郵便番号"), max_length=7, blank=True)
    prefecture = models.CharField(_("都道府県"), max_length=10, blank=True)
    city = models.CharField(_("市区郡町村"), max_length=40, blank=True)
    town = models.CharField(_("町字"), max_length=80, blank=True)
    town_code = models.CharField(_("町字コード"), max_length=16, blank=True)
    banchi = models.CharField(_("番地号"), max_length=80, blank=True)
    katagaki = models.CharField(_("方書"), max_length=120, blank=True)

    became_resident_on = models.DateField(_("住民となった年月日"), null=True, blank=True)
    address_set_on = models.DateField(_("住所を定めた年月日"), null=True, blank=True)
    notified_on = models.DateField(_("届出年月日"), null=True, blank=True)
    former_address = models.CharField(_("転入前住所"), max_length=200, blank=True)
    former_postal_code = models.CharField(_("転入前郵便番号"), max_length=7, blank=True)
    moved_out_to = models.CharField(_("転出先住所"), max_length=200, blank=True)
    planned_move_out_on = models.DateField(_("転出予定年月日"), null=True, blank=True)
    planned_move_in_on = models.DateField(_("転入予定年月日"), null=True, blank=True)
    # 連絡先電話番号 of a 転入予約 (マイナポータル 引越しワンストップ): pending move-ins only;
    # the register itself holds no phone. Prefilled as the visit's contact phone.
    phone = models.CharField(_("連絡先電話番号"), max_length=20, blank=True)
    removed_on = models.DateField(_("消除の異動年月日"), null=True, blank=True)
    removal_reason = models.CharField(_("消除の事由"), max_length=40, blank=True)

    honseki = models.CharField(_("本籍"), max_length=200, blank=True)
    hittousha = models.CharField(_("筆頭者"), max_length=100, blank=True)

    nationality = models.CharField(_("国籍（ISO）"), max_length=2, default="JP")
    nationality_name = models.CharField(_("国籍・地域"), max_length=40, blank=True)
    art30_45_class = models.CharField(_("法30条45区分"), max_length=20, blank=True)
    foreign_resident_since = models.DateField(_("外国人住民となった年月日"), null=True, blank=True)
    residence_status = models.CharField(_("在留資格"), max_length=40, blank=True)
    residence_period = models.CharField(_("在留期間"), max_length=20, blank=True)
    residence_expires_on = models.DateField(_("在留期間満了日"), null=True, blank=True)
    residence_card_no = models.CharField(_("在留カード等番号"), max_length=12, blank=True)

    nhi = models.BooleanField(_("国保"), default=False)
    nhi_since = models.DateField(_("国保資格取得日"), null=True, blank=True)
    elderly_medical = models.BooleanField(_("後期高齢"), default=False)
    elderly_medical_since = models.DateField(_("後期高齢資格取得日"), null=True, blank=True)
    care_insured = models.BooleanField(_("介護"), default=False)
    care_since = models.DateField(_("介護資格取得日"), null=True, blank=True)
    pension_category = models.CharField(
        _("国民年金種別"), max_length=1, choices=PensionCategory.choices, blank=True
    )
    child_allowance_recipient = models.BooleanField(_("児童手当受給"), default=False)

    support_measure = models.BooleanField(_("支援措置"), default=False)
    adult_ward = models.BooleanField(_("成年被後見人"), default=False)
    # Other facts known to the city's systems, by the flag names of the situation
    # contract (my_number_card, seal_registered, disability_handbook, …).
    flags = models.JSONField(_("他業務の情報"), default=list, blank=True)

    # Digest of the imported values: a re-import skips rows whose digest is unchanged.
    import_digest = models.CharField(max_length=32, blank=True, editable=False)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("住民")
        constraints = [
            models.UniqueConstraint(fields=["municipality_code", "atena_no"], name="uniq_atena_no")
        ]
        indexes = [
            models.Index(fields=["household", "household_order"]),
            # Search and reads look a person up by 宛名番号 alone (any municipality_code).
            models.Index(fields=["atena_no"], name="person_atena_no_idx"),
            # "氏 名" typed with a space matches the joined prefix only for names registered
            # without the 氏/名 split (given key empty): small partial indexes keep that
            # branch from scanning every name with the prefix (pattern ops: LIKE 'x%').
            models.Index(
                fields=["name_key"],
                name="person_unsplit_name_idx",
                condition=models.Q(given_key=""),
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["kana_key"],
                name="person_unsplit_kana_idx",
                condition=models.Q(given_kana_key=""),
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.atena_no}"

    @property
    def is_removed(self) -> bool:
        return self.status in (
            ResidentStatus.MOVED_OUT,
            ResidentStatus.DECEASED,
            ResidentStatus.OTHER_REMOVED,
        )

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}{self.banchi}"


class ProtectionHold(models.Model):
    """A same-day 支援措置 set by permitted staff: the person is protected at once, before
    the register import carries the flag, and no import lifts it (``services.apply_holds``
    runs after every import). Append-only: the reason and who set it stay on record."""

    municipality_code = models.CharField(max_length=6, default="999999")
    atena_no = models.CharField(_("宛名番号"), max_length=16, db_index=True)
    reason = models.CharField(_("理由"), max_length=500)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("設定日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("支援措置の即日設定")
        verbose_name_plural = _("支援措置の即日設定")

    def __str__(self) -> str:
        return f"hold {self.atena_no}"
