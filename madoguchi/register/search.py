"""Register search and reads: one field that recognises what was typed; every read audited.

What the field understands (tokens separated by spaces, ASCII or U+3000):

* a name in kanji (or Latin letters): prefix match on ``name_key`` and ``alt_name_key``
  (髙橋 is found by 高橋 and the reverse, 﨑/崎, 𠮷/吉, with or without IVS; see
  :mod:`madoguchi.core.text`); one word is also tried as the start of the 名 alone
  (``given_key``: 太郎 finds 山田 太郎); words separated by a space are 氏 + 名: the first
  word starts the full name and the rest starts the 名 (高 太 finds 高橋 太郎, not
  高畑 花子); for a name registered without the 氏/名 split the words are joined;
* a reading in hiragana, katakana or half-width kana: the same on ``kana_key`` and
  ``given_kana_key`` (たろう, タカ タ);
* a birth date: 7 digits (``4050101``), 8 digits (``19930101``), ``H5.1.1``,
  ``平成5年1月1日`` … (strict 和暦; an impossible date is an error, never rolled over);
* a birth year or month: ``S58``, ``昭和58年``, ``H5.1``, ``1983年`` — a range, so persons
  whose birth date is 不詳 (kept with a sortable date in that year) are found too;
* a 宛名番号: digits, exact. A 7- or 8-digit number is tried both as 宛名番号 and as a
  birth date;
* a combination: name (or reading) + birth date, e.g. ``高橋 H5.1.1``.

Removed persons (転出者, 死亡者, その他消除者) and pending move-ins are returned and
marked, never hidden. Results are capped (``limit``); a capped result asks the clerk to
narrow the search.

支援措置 (support measures for DV/stalking victims): a protected person appears to staff
without ``may_see_protected`` only as a masked row ("支援措置対象者: 閲覧権限があり
ません") carrying no name, number, birth date or address, so the clerk knows to ask a
supervisor instead of serving a namesake; the person view answers 403 to them. Every
search or view that touches a protected person — shown or masked — is audited with
``flagged=True``.

Queries are index-friendly: prefix matches only (``startswith`` on PostgreSQL, served by
the ``*_like`` pattern index; an explicit range on SQLite, whose ``LIKE`` is
case-insensitive and cannot use the index), each branch fetched with ``limit + 1`` rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.audit import services as audit
from madoguchi.core.text import is_kana, kana_key, name_key
from madoguchi.core.wareki import (
    WarekiError,
    format_wareki,
    looks_like_date,
    looks_like_period,
    parse_wareki,
    parse_wareki_period,
)
from madoguchi.rules import zokugara

from .models import Household, Person, ProtectionHold, ResidentStatus

DEFAULT_LIMIT = 50
MASKED_LABEL = gettext_lazy("支援措置対象者: 閲覧権限がありません")
_SPLIT = re.compile(r"[\s\u3000]+")
_TOP = "\U0010ffff"
_PENDING_NO = re.compile(r"^[A-Z]\d{5,}$")


class SearchError(ValueError):
    """The query cannot be searched (an impossible date, nothing typed …)."""


class NotFound(LookupError):
    pass


class Protected(PermissionError):
    """The person is under 支援措置 and the member of staff may not see them."""


def protected_atena_nos(atena_nos) -> set[str]:
    """Which of these 宛名番号 are protected now: the register's flag, or a same-day
    :class:`ProtectionHold` (a hold wins over any row, e.g. one an import just wrote).

    Data copied from the register into visits, tasks and documents is checked against
    this, so a protection granted after the copy still applies to the copy."""
    wanted = {a for a in atena_nos if a}
    if not wanted:
        return set()
    flagged = Person.objects.filter(atena_no__in=wanted, support_measure=True)
    held = ProtectionHold.objects.filter(atena_no__in=wanted)
    return set(flagged.values_list("atena_no", flat=True)) | set(
        held.values_list("atena_no", flat=True)
    )


def with_holds(persons) -> list[Person]:
    """The persons, those a same-day hold protects marked protected in memory where their
    row does not carry the flag (yet): every read below counts a hold at once."""
    persons = list(persons)
    unflagged = [p.atena_no for p in persons if not p.support_measure]
    if unflagged:
        held = set(
            ProtectionHold.objects.filter(atena_no__in=unflagged).values_list("atena_no", flat=True)
        )
        for p in persons:
            if p.atena_no in held:
                p.support_measure = True
    return persons


def may_see_protected(user) -> bool:
    return bool(getattr(user, "may_see_protected", False))


# --------------------------------------------------------------------------- parsing


@dataclass
class Query:
    """How a query text was understood."""

    text: str
    name: str = ""  # kanji / Latin name part (as typed, spaces removed)
    kana: str = ""  # reading part
    words: list[str] = field(default_factory=list)  # the name or reading words as typed
    birth_date: date | None = None
    birth_range: tuple[date, date] | None = None  # a year or month typed: S58, 平成5年1月
    number: str = ""  # digits: 宛名番号 (and maybe a date)
    number_date: date | None = None  # the same digits read as a birth date, when valid

    def describe(self) -> list[str]:
        parts = []
        shown = [kana_key(w) if self.kana else w for w in self.words]
        if len(shown) > 1:  # 氏 + space + 名
            parts.append(
                _("氏名が「%(s)s」、名が「%(g)s」で始まる")
                % {"s": shown[0], "g": "".join(shown[1:])}
            )
        elif self.name:
            parts.append(_("氏名「%(v)s」で始まる") % {"v": self.name})
        elif self.kana:
            parts.append(_("フリガナ「%(v)s」で始まる") % {"v": kana_key(self.kana)})
        if len(shown) == 1:
            parts.append(_("または 名が「%(v)s」で始まる") % {"v": shown[0]})
        if self.birth_date:
            parts.append(
                _("生年月日 %(w)s（%(iso)s）")
                % {"w": format_wareki(self.birth_date), "iso": self.birth_date.isoformat()}
            )
        if self.birth_range:
            first, last = self.birth_range
            parts.append(
                _("生年月日 %(a)s〜%(b)s（不詳の日付を含む）")
                % {"a": format_wareki(first), "b": format_wareki(last)}
            )
        if self.number:
            if self.number_date:
                parts.append(
                    _("宛名番号 %(n)s または 生年月日 %(w)s")
                    % {"n": self.number, "w": format_wareki(self.number_date)}
                )
            else:
                parts.append(_("宛名番号 %(n)s") % {"n": self.number})
        return parts


def _ascii_digits(token: str) -> str:
    """Full-width digits and letters → ASCII (numbers only; never applied to names)."""
    return "".join(
        chr(ord(c) - 0xFEE0) if ("０" <= c <= "９" or "Ａ" <= c <= "ｚ") else c for c in token
    )


def parse_query(text: str) -> Query:
    """Classify the tokens of ``text``. Raises SearchError with a clear message."""
    text = (text or "").strip()
    if not text:
        raise SearchError(_("検索語を入力してください"))
    q = Query(text=text)
    name_parts: list[str] = []
    for token in _SPLIT.split(text):
        if not token:
            continue
        digits = _ascii_digits(token).upper()
        is_number = bool(_PENDING_NO.match(digits)) or (digits.isascii() and digits.isdigit())
        if is_number:  # 宛名番号 (pending move-ins: P0000000011), maybe a 7/8-digit date
            if q.number:
                raise SearchError(_("番号が2つ入力されています（%(t)s）") % {"t": token})
            q.number = digits
            if digits.isdigit() and len(digits) in (7, 8):
                try:
                    q.number_date = parse_wareki(digits)
                except WarekiError:
                    q.number_date = None
            continue
        is_date, is_period = looks_like_date(token), looks_like_period(token)
        if is_date or is_period:
            if q.birth_date or q.birth_range:
                raise SearchError(_("生年月日が2つ入力されています（%(t)s）") % {"t": token})
            try:
                if is_date:
                    q.birth_date = parse_wareki(token)
                else:
                    q.birth_range = parse_wareki_period(token)
            except WarekiError as exc:
                raise SearchError(_("生年月日: %(e)s") % {"e": exc}) from None
            continue
        name_parts.append(token)
    if name_parts:
        q.words = name_parts
        joined = "".join(name_parts)
        if all(is_kana(p) for p in name_parts):
            q.kana = joined
        else:
            q.name = joined
    if q.number and (q.name or q.kana) and q.number_date and not (q.birth_date or q.birth_range):
        # "高橋 4050101": with a name, a 7/8-digit number is the birth date.
        q.birth_date, q.number, q.number_date = q.number_date, "", None
    if q.number and (q.name or q.kana or q.birth_date or q.birth_range):
        raise SearchError(_("宛名番号は単独で入力してください"))
    if (q.name and not name_key(q.name)) or (q.kana and not kana_key(q.kana)):
        raise SearchError(_("氏名として読める文字がありません"))
    return q


# --------------------------------------------------------------------------- querying


def _prefix(qs: QuerySet, field_name: str, prefix: str) -> QuerySet:
    """Index-friendly prefix filter on a folded key column."""
    if connection.vendor == "sqlite":
        return qs.filter(
            **{
                f"{field_name}__gte": prefix,
                f"{field_name}__lt": prefix + _TOP,
                f"{field_name}__startswith": prefix,
            }
        )
    return qs.filter(**{f"{field_name}__startswith": prefix})


def _branches(q: Query) -> list[tuple[QuerySet, int]]:
    """The querysets to run, each with its rank in the result (0 before 1)."""
    base = Person.objects.select_related("household")
    branches: list[tuple[QuerySet, int]] = []
    if q.number:
        branches.append((base.filter(atena_no=q.number), 0))
        if q.number_date:
            branches.append((base.filter(birth_date=q.number_date), 0))
        return branches
    if q.birth_date:
        dated = base.filter(birth_date=q.birth_date)
    elif q.birth_range:
        dated = base.filter(birth_date__range=q.birth_range)
    else:
        dated = base
    if not (q.kana or q.name):
        return [(dated, 0)]
    fold, full, given = (
        (kana_key, "kana_key", "given_kana_key") if q.kana else (name_key, "name_key", "given_key")
    )
    whole = _prefix(dated, full, fold("".join(q.words)))
    if len(q.words) > 1:  # 氏 + space + 名: the whole only for names not split into 氏/名
        whole = whole.filter(**{given: ""})
    branches.append((whole, 0))
    if q.name:
        branches.append((_prefix(dated, "alt_name_key", fold(q.name)), 0))
    # The 名: these rank after the full-name matches.
    rest = fold("".join(q.words[1:]))
    if len(q.words) == 1:
        branches.append((_prefix(dated, given, fold(q.words[0])), 1))
    elif rest and fold(q.words[0]):  # 氏 + space + 名: both prefixes (two indexed columns)
        branches.append((_prefix(_prefix(dated, full, fold(q.words[0])), given, rest), 1))
        # a 名 of several words (foreign residents: MINH DUC)
        branches.append((_prefix(dated, given, fold("".join(q.words))), 1))
    return branches


_STATUS_RANK = {
    ResidentStatus.RESIDENT: 0,
    ResidentStatus.PENDING: 1,
    ResidentStatus.MOVED_OUT: 2,
    ResidentStatus.DECEASED: 3,
    ResidentStatus.OTHER_REMOVED: 4,
}


@dataclass
class Row:
    """One result line. ``person`` is None for a masked (protected) row."""

    person: Person | None
    masked: bool = False
    protected: bool = False
    head_name: str = ""

    @property
    def status_class(self) -> str:
        p = self.person
        if p is None:
            return "masked"
        if p.status == ResidentStatus.PENDING:
            return "pending"
        return "removed" if p.is_removed else "resident"


@dataclass
class SearchResult:
    query: Query | None
    rows: list[Row] = field(default_factory=list)
    capped: bool = False
    limit: int = DEFAULT_LIMIT
    error: str = ""
    flagged: bool = False

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def interpretation(self) -> list[str]:
        return self.query.describe() if self.query else []

    @property
    def message(self) -> str:
        if self.error:
            return self.error
        if self.capped:
            return _(
                "該当が%(n)d件を超えました。先頭%(n)d件のみ表示しています。"
                "生年月日やフリガナを加えて絞り込んでください。"
            ) % {"n": self.limit}
        if not self.rows:
            return _("該当する住民はいません")
        return _("%(n)d件見つかりました") % {"n": len(self.rows)}


def _head_names(households: Iterable[int], user) -> dict[int, str]:
    heads = (
        Person.objects.filter(household_id__in=set(households))
        .filter(Q(relationship_role="head") | Q(relationship="世帯主"))
        .only("household_id", "name", "support_measure")
    )
    shown = may_see_protected(user)
    return {h.household_id: (h.name if shown or not h.support_measure else "") for h in heads}


def _run(q: Query, limit: int, pending_first: bool = False) -> tuple[list[Person], bool]:
    """The persons found, in the usual order (residents, pending move-ins, removed), at
    most ``limit``. ``pending_first``: every pending move-in found is kept within the
    limit (each branch also fetched for pending rows only, so residents who fill a
    branch do not push them out); :func:`search` puts them first."""
    found: dict[int, Person] = {}
    rank: dict[int, int] = {}
    capped = False
    for qs, branch_rank in _branches(q):
        batch = list(qs[: limit + 1])
        if len(batch) > limit:
            capped = True
        if pending_first:
            batch += list(qs.filter(status=ResidentStatus.PENDING)[:limit])
        for p in batch:
            found.setdefault(p.pk, p)
            rank.setdefault(p.pk, branch_rank)

    def order(p: Person):
        return (_STATUS_RANK.get(p.status, 9), rank[p.pk], p.kana_key, p.name_key, p.atena_no)

    persons = sorted(found.values(), key=order)
    if len(persons) > limit:
        capped = True
        if pending_first:
            pending = [p for p in persons if p.status == ResidentStatus.PENDING][:limit]
            others = [p for p in persons if p.status != ResidentStatus.PENDING]
            return sorted(pending + others[: limit - len(pending)], key=order), capped
    return persons[:limit], capped


def _pending_first(persons: list[Person], see: bool) -> list[Person]:
    """Pending move-ins (転出証明書情報) before everyone else, in their usual order. A
    protected person the clerk may not see keeps the usual place: a masked row that moved
    up would tell that a protected person is about to move in."""
    return sorted(
        persons,
        key=lambda p: (
            0 if p.status == ResidentStatus.PENDING and (see or not p.support_measure) else 1
        ),
    )


def search(
    query: str, user, *, limit: int = DEFAULT_LIMIT, pending_first: bool = False
) -> SearchResult:
    """Search the register and audit the search (action ``register.search``) in the same
    transaction. Bad input gives a result with ``error`` set (and is audited too, with no
    persons). ``pending_first`` (a move-in ticket at the counter): pending move-ins that
    match come before residents and removed persons."""
    with transaction.atomic():
        try:
            q = parse_query(query)
        except SearchError as exc:
            audit.record(user, "register.search", query=(query or "")[:500])
            return SearchResult(query=None, error=str(exc), limit=limit)
        persons, capped = _run(q, limit, pending_first)
        persons = with_holds(persons)
        see = may_see_protected(user)
        if pending_first:
            persons = _pending_first(persons, see)
        heads = _head_names((p.household_id for p in persons), user)
        rows = []
        for p in persons:
            if p.support_measure and not see:
                rows.append(Row(person=None, masked=True, protected=True))
            else:
                rows.append(
                    Row(
                        person=p,
                        protected=p.support_measure,
                        head_name=heads.get(p.household_id, ""),
                    )
                )
        flagged = any(p.support_measure for p in persons)
        audit.record(
            user,
            "register.search",
            query=q.text[:500],
            person_ids=[p.atena_no for p in persons],
            household_ids=sorted({p.household.household_no for p in persons}),
            flagged=flagged,
        )
        return SearchResult(query=q, rows=rows, capped=capped, limit=limit, flagged=flagged)


# --------------------------------------------------------------------------- reads


def _get_person(atena_no: str) -> Person:
    p = (
        Person.objects.select_related("household")
        .filter(atena_no=_ascii_digits(str(atena_no)))
        .order_by("municipality_code", "-history_no")
        .first()
    )
    if p is None:
        raise NotFound(_("宛名番号 %(n)s の住民は見つかりません") % {"n": atena_no})
    return p


def read_person(atena_no: str, user) -> Person:
    """The person with their household, audited (``register.person``). Raises NotFound, or
    Protected (audited as ``register.person.denied``, flagged) for staff who may not see
    a 支援措置 person. Call inside ``transaction.atomic`` with the response building."""
    return _read_person(atena_no, user, with_household=False)[0]


def read_person_with_household(atena_no: str, user) -> tuple[Person, list[Row]]:
    """As :func:`read_person`, plus the members of the person's household in the legal
    order (protected members masked for staff who may not see them). The one audit row
    names every member shown and is flagged when any of them is protected."""
    return _read_person(atena_no, user, with_household=True)


def read_card_no(atena_no: str, user) -> Person:
    """The person whose full 在留カード等番号 a clerk asked to see (the person page's
    「表示」): audited as ``register.person.card_no`` (flagged for a 支援措置 person), or
    Protected (audited as ``register.person.denied``) like :func:`read_person`."""
    with transaction.atomic():
        p = _get_person(atena_no)
        denied = p.support_measure and not may_see_protected(user)
        audit.record(
            user,
            "register.person.denied" if denied else "register.person.card_no",
            query=p.atena_no,
            person_ids=[p.atena_no],
            household_ids=[p.household.household_no],
            flagged=p.support_measure,
        )
    if denied:
        raise Protected(str(MASKED_LABEL))
    return p


def _masked_rows(members: list[Person], user) -> list[Row]:
    see = may_see_protected(user)
    return [
        Row(person=None, masked=True, protected=True)
        if (m.support_measure and not see)
        else Row(person=m, protected=m.support_measure)
        for m in members
    ]


def _read_person(atena_no: str, user, *, with_household: bool) -> tuple[Person, list[Row]]:
    with transaction.atomic():
        (p,) = with_holds([_get_person(atena_no)])
        denied = p.support_measure and not may_see_protected(user)
        members = (
            with_holds(legal_order(p.household.members.all()))
            if (with_household and not denied)
            else []
        )
        others = [m for m in members if m.pk != p.pk]
        audit.record(
            user,
            "register.person.denied" if denied else "register.person",
            query=p.atena_no,
            person_ids=[p.atena_no] + [m.atena_no for m in others],
            household_ids=[p.household.household_no],
            flagged=p.support_measure or any(m.support_measure for m in others),
        )
    if denied:
        # Raised after the block so the denial's audit row is not rolled back.
        raise Protected(str(MASKED_LABEL))
    return p, _masked_rows(members, user)


@dataclass
class HouseholdView:
    household: Household
    rows: list[Row]
    flagged: bool

    @property
    def head(self) -> Person | None:
        for r in self.rows:
            if (
                r.person is not None
                and zokugara.order_group(r.person.relationship, r.person.relationship_role)[0]
                == zokugara.HEAD
            ):
                return r.person
        return None


def read_household(household_no: str, user) -> HouseholdView:
    """A household's members in the legal order, audited (``register.household``).

    Protected members are masked for staff without ``may_see_protected``; the record is
    flagged whenever a protected member is part of the household."""
    with transaction.atomic():
        hh = (
            Household.objects.filter(household_no=_ascii_digits(str(household_no)))
            .order_by("municipality_code")
            .first()
        )
        if hh is None:
            raise NotFound(_("世帯番号 %(n)s の世帯は見つかりません") % {"n": household_no})
        members = with_holds(legal_order(hh.members.all()))
        rows = _masked_rows(members, user)
        flagged = any(m.support_measure for m in members)
        audit.record(
            user,
            "register.household",
            query=hh.household_no,
            person_ids=[m.atena_no for m in members],
            household_ids=[hh.household_no],
            flagged=flagged,
        )
        return HouseholdView(household=hh, rows=rows, flagged=flagged)


# --------------------------------------------------------------------------- legal order

# 世帯連記の記載順位: the groups and their order are rules.zokugara's (one classifier of
# 続柄 for the import, this order, the counter and the forms).


def legal_order(persons: Iterable[Person]) -> list[Person]:
    """Members in the order of 世帯連記 (see the comment above); ties by 宛名番号."""

    def key(p: Person):
        lead = zokugara.legal_order_key(p.relationship, p.relationship_role, p.birth_date)
        return (*lead, len(p.atena_no), p.atena_no)

    return sorted(persons, key=key)
