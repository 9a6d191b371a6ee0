"""Register pages: the search field, the person and the household. Thin: the reads and
their audit rows go through the register's front door (:mod:`madoguchi.register.services`);
each response is built inside the transaction that writes its audit row. Department
staff read only where their department is granted it (``register_reader``)."""

from __future__ import annotations

from datetime import date
from functools import wraps

from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.audit import services as audit
from madoguchi.core.wareki import display_date
from madoguchi.rules.facts import FLAGS

from . import refs
from . import services as svc
from .models import Person, ResidentKind, ResidentStatus
from .residence_card import mask_card_no


def birth_date_text(p: Person) -> str:
    """The birth date as the register means it; an uncertain date keeps its wording."""
    if p.birth_date_uncertain:
        original = p.birth_date_text or _("不詳")
        return _("%(text)s（不詳・並べ替え用 %(iso)s）") % {
            "text": original,
            "iso": p.birth_date.isoformat(),
        }
    return display_date(p.birth_date, western=p.resident_kind == ResidentKind.FOREIGN)


def _yes(flag: bool, since: date | None = None) -> str:
    if not flag:
        return _("なし")
    return _("あり（%(d)s取得）") % {"d": display_date(since)} if since else _("あり")


def _name(value: str):
    """A registered name in the names font (IPAmj明朝 shows 髙, 﨑, 𠮷 and IVS)."""
    return format_html('<span class="name">{}</span>', value) if value else ""


def _flags_text(flags: list[str] | None) -> str:
    """The person's other-service flags as labels in the UI language."""
    return pgettext("list separator", "、").join(_(FLAGS.get(f, f)) for f in (flags or []))


def _card_no(p: Person, shown: bool):
    """The 在留カード等番号: masked, with the 「表示」 button that shows it in full
    (audited); in full once asked for."""
    if not p.residence_card_no or shown:
        return p.residence_card_no
    return format_html(
        '<span id="card-no">{}</span> <button type="submit" form="card-no-form" '
        'id="card-no-show" title="{}">{}</button>',
        mask_card_no(p.residence_card_no),
        _("全桁を表示します（閲覧は記録されます）"),
        _("表示"),
    )


def person_sections(
    p: Person, card_no_shown: bool = False
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every register field of a person, grouped, labelled in Japanese, 和暦 dates; the
    在留カード等番号 masked unless ``card_no_shown`` (the audited 「表示」)."""
    foreign = p.resident_kind == ResidentKind.FOREIGN
    d = display_date
    basic = [
        (_("宛名番号"), p.atena_no),
        (_("住民状態"), p.get_status_display()),
        (_("住民種別"), p.get_resident_kind_display()),
        (_("住民票コード"), p.juminhyo_code),
        (_("氏名フリガナ"), p.name_kana + ("" if p.kana_confirmed else _("（未確認）"))),
        (_("旧氏・通称"), _name(p.alt_name)),
        (_("氏名（ローマ字）"), p.name_roman),
        (_("生年月日"), birth_date_text(p)),
        (_("性別"), p.get_sex_display()),
        (_("続柄"), p.relationship),
        (_("世帯番号"), p.household.household_no),
    ]
    address = [
        (_("郵便番号"), f"〒{p.postal_code[:3]}-{p.postal_code[3:]}" if p.postal_code else ""),
        (_("住所"), p.address),
        (_("方書"), p.katagaki),
        (_("町字コード"), p.town_code),
        (_("住民となった年月日"), d(p.became_resident_on)),
        (_("住所を定めた年月日"), d(p.address_set_on)),
        (_("届出年月日"), d(p.notified_on)),
        (_("転入前住所"), p.former_address),
        (_("転出先住所"), p.moved_out_to),
        (_("転出予定年月日"), d(p.planned_move_out_on)),
        (_("転入予定年月日"), d(p.planned_move_in_on)),
        (_("消除の異動年月日"), d(p.removed_on)),
        (_("消除の事由"), p.removal_reason),
    ]
    origin = (
        [
            (_("国籍・地域"), p.nationality_name or p.nationality),
            (_("法30条45区分"), p.art30_45_class),
            (_("外国人住民となった年月日"), d(p.foreign_resident_since, western=True)),
            (_("在留資格"), p.residence_status),
            (_("在留期間"), p.residence_period),
            (_("在留期間満了日"), d(p.residence_expires_on, western=True)),
            (_("在留カード等番号"), _card_no(p, card_no_shown)),
        ]
        if foreign
        else [(_("本籍"), p.honseki), (_("筆頭者"), _name(p.hittousha))]
    )
    services = [
        (_("国民健康保険"), _yes(p.nhi, p.nhi_since)),
        (_("後期高齢者医療"), _yes(p.elderly_medical, p.elderly_medical_since)),
        (_("介護保険"), _yes(p.care_insured, p.care_since)),
        (_("国民年金"), p.get_pension_category_display() if p.pension_category else _("なし")),
        (_("児童手当"), _("受給中") if p.child_allowance_recipient else _("なし")),
        (_("成年被後見人"), _("該当") if p.adult_ward else _("非該当")),
        (_("支援措置"), _("対象（住所等の開示・交付に注意）") if p.support_measure else _("なし")),
        (_("他業務の情報"), _flags_text(p.flags) or _("なし")),
    ]
    return [
        (_("基本"), basic),
        (_("住所・異動"), address),
        (_("外国人住民") if foreign else _("本籍"), origin),
        (_("他業務の資格"), services),
    ]


def status_badge(p: Person) -> tuple[str, str]:
    """(css class, label) of the 住民状態 badge."""
    if p.status == ResidentStatus.PENDING:
        return "pending", p.get_status_display()
    if p.is_removed:
        return "removed", p.get_status_display()
    return "resident", p.get_status_display()


def _decorate(rows: list[svc.Row]) -> None:
    """Add the display-only badge and birth-date text to shown rows."""
    for row in rows:
        if row.person is not None:
            row.badge = status_badge(row.person)
            row.birth = birth_date_text(row.person)


def register_reader(view):
    """Counter staff, and department staff of a department granted register reads."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not svc.may_read_register(request.user):
            with transaction.atomic():
                audit.record(request.user, "register.denied")  # no query: it may name a person
            message = _("所属課には住民記録の閲覧が許可されていません")
            return render(request, "refused.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@register_reader
def search_page(request):
    """GET: the search field. POST (htmx or plain form): the results."""
    if request.method == "GET":
        return render(request, "register/search.html", {"result": None, "q": ""})
    q = request.POST.get("q", "")
    with transaction.atomic():
        result = svc.search(q, request.user)
        _decorate(result.rows)
        template = "register/_results.html" if request.htmx else "register/search.html"
        return render(request, template, {"result": result, "q": q})


@register_reader
def person_page(request, atena_no: str):
    """Deprecated (the 宛名番号 is in the URL, which proxies log): the screens use
    ``person_ref``; other clients ``person_lookup`` (POST)."""
    return refs.announce_sunset(_person(request, atena_no), reverse("register:person_lookup"))


@register_reader
def person_ref(request, ref: str):
    """The person page the screens link to: ``ref`` stands for the 宛名番号 in this
    session only (register/refs.py), so no identifier reaches a URL."""
    return _person(request, refs.resolve_or_404(request, "person", ref))


@register_reader
def household_ref(request, ref: str):
    return _household(request, refs.resolve_or_404(request, "household", ref))


@require_POST
@register_reader
def person_lookup(request):
    """The person page without an identifier in the URL: the 宛名番号 is POSTed."""
    return _person(request, request.POST.get("atena_no", ""))


@require_POST
@register_reader
def person_card_no(request):
    """The person page with the full 在留カード等番号 (the 「表示」 button; the 宛名番号 is
    POSTed): the showing is audited (``register.person.card_no``) besides the read."""
    atena_no = request.POST.get("atena_no", "")
    with transaction.atomic():
        try:
            svc.read_card_no(atena_no, request.user)
        except svc.NotFound as exc:
            raise Http404(str(exc)) from None
        except svc.Protected:
            return _masked(request)
    return _person(request, atena_no, card_no_shown=True)


def _person(request, atena_no: str, card_no_shown: bool = False):
    with transaction.atomic():
        try:
            p, members = svc.read_person_with_household(atena_no, request.user)
        except svc.NotFound as exc:
            raise Http404(str(exc)) from None
        except svc.Protected:
            return _masked(request)
        _decorate(members)
        return render(
            request,
            "register/person.html",
            {
                "p": p,
                "sections": person_sections(p, card_no_shown),
                "badge": status_badge(p),
                "members": members,
            },
        )


@register_reader
def household_page(request, household_no: str):
    """Deprecated (the 世帯番号 is in the URL): the screens use ``household_ref``."""
    return refs.announce_sunset(_household(request, household_no), reverse("register:search"))


def _household(request, household_no: str):
    with transaction.atomic():
        try:
            view = svc.read_household(household_no, request.user)
        except svc.NotFound as exc:
            raise Http404(str(exc)) from None
        _decorate(view.rows)
        return render(request, "register/household.html", {"view": view})


def _masked(request) -> HttpResponse:
    response = render(request, "register/protected.html", {"label": svc.MASKED_LABEL})
    response.status_code = 403
    return response


@require_POST
@register_reader
def protection_hold(request):
    """Same-day 支援措置: permitted staff protect a person at once (reason required)."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied

    atena_no = request.POST.get("atena_no", "")
    try:
        svc.set_protection_hold(atena_no, request.user, request.POST.get("reason", ""))
    except svc.NotFound as exc:
        raise Http404(str(exc)) from None
    except PermissionDenied as exc:
        return render(request, "refused.html", {"message": str(exc)}, status=403)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("支援措置を設定しました。すべての画面に反映されています。"))
    return _person(request, atena_no)
