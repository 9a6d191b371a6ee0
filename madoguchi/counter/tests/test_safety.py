"""Safety of the flow (counter/safety.py): a 転入 built for current residents, an 異動日
beyond the allowed window, deadlines already passed (期限超過) — on the screen, in the
API, on the guide sheet — and pending move-ins first in a move-in ticket's search."""

from datetime import date

import pytest

from madoguchi.audit.models import AuditRecord
from madoguchi.counter.models import Visit
from madoguchi.counter.tests.residents import hoshino_resident
from madoguchi.counter.tests.test_entry import pdf_text
from madoguchi.counter.tests.test_visit import Flow, post
from madoguchi.register.models import Person


def codes(v):
    return {w["code"]: w for w in v["warnings"]}


# ------------------------------------------------------------------ 転入 of residents


def test_move_in_of_current_residents_is_a_warning_until_acknowledged(clerk_client, household):
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="200001")  # 北見 太郎: lives in the city
    w = codes(f.v)["resident_move_in"]
    assert w["severity"] == "warning" and w["needs_acknowledgement"]
    assert w["persons"] == ["p1", "p2", "p3", "p4"] and w["suggested_event"] == "move_within"
    assert "北見　太郎" in w["message"] and "転居" in w["message"]
    # 確認 is refused, naming the input the warning is about
    r = f.step("confirm", expect=400)
    assert r["errors"][0]["field"] == "events" and "現在この市の住民" in r["detail"]
    # no reason, or a key the visit does not show: refused, nothing written
    assert f.step("acknowledge", expect=400, key=w["key"], reason=" ")["errors"][0]["field"] == (
        "reason"
    )
    assert f.step("acknowledge", expect=400, key="resident_move_in:x", reason="x")["errors"][0][
        "field"
    ] == ("key")
    f.step("acknowledge", key=w["key"], reason="転出届済み・台帳未反映（前住所地に確認）")
    w = codes(f.v)["resident_move_in"]
    assert not w["needs_acknowledgement"]
    assert w["acknowledged"]["reason"].startswith("転出届済み") and w["acknowledged"]["by"]
    assert AuditRecord.objects.filter(action="visit.acknowledge_warning").count() == 1
    f.step("confirm")
    assert f.v["step"] == "confirmed"


def test_the_suggested_move_within_clears_the_warning(clerk_client, household):
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="200001")
    assert "resident_move_in" in codes(f.v)
    f.step("events", events=["move_within"])
    assert "resident_move_in" not in codes(f.v)
    assert "registry.move_within" in f.procedures()


def test_a_new_person_is_a_new_warning(clerk_client, household):
    """An acknowledgement holds for the warning acknowledged: one more resident moving
    in is asked again."""
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="200001")
    f.step("involved", pids=["p1"])
    f.step("acknowledge", key=codes(f.v)["resident_move_in"]["key"], reason="確認済み")
    assert not codes(f.v)["resident_move_in"]["needs_acknowledgement"]
    f.step("involved", pids=["p1", "p2"])
    assert codes(f.v)["resident_move_in"]["needs_acknowledgement"]


def test_pending_move_ins_and_former_residents_are_no_residents(
    clerk_client, household, pending_family
):
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="P0000000011")
    assert "resident_move_in" not in codes(f.v)
    # a former resident who left and comes back
    Person.objects.filter(household__household_no="100002").update(status="2")
    g = Flow(clerk_client, purpose="move_in")
    g.step("identify", atena_no="200009")
    assert "resident_move_in" not in codes(g.v)


# ------------------------------------------------------------------ the 異動日


def test_a_move_in_dated_after_the_notification_is_refused(clerk_client, pending_family, settings):
    settings.MADOGUCHI_BUSINESS_DATE = "2027-03-20"
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="P0000000011")  # the certificate's date: 2027-03-29
    assert f.v["notified_on"] == "2027-03-20"
    w = codes(f.v)["event_date_ahead"]
    assert w["severity"] == "error" and w["field"] == "event_date"
    assert "令和9年3月29日" in w["message"] and "令和9年3月20日" in w["message"]
    r = f.step("confirm", expect=400)
    assert r["errors"][0]["field"] == "event_date" and r["detail"].startswith("異動日")
    # an error is not acknowledged away: the date must change
    assert f.step("acknowledge", expect=400, key=w["key"], reason="本人の希望")["errors"][0][
        "field"
    ] == ("event_date")
    f.step("events", events=["move_in"], event_date="2027-03-19")
    assert "event_date_ahead" not in codes(f.v)
    f.step("answers", flags={"p1": {"dog_owner": False}})
    f.step("confirm")


@pytest.mark.parametrize(("ahead", "warned"), [(14, False), (15, True)])
def test_a_move_out_may_be_notified_up_to_14_days_ahead(
    clerk_client, household, settings, ahead, warned
):
    settings.MADOGUCHI_BUSINESS_DATE = "2027-03-01"
    f = Flow(clerk_client, purpose="move_out")
    f.step("identify", atena_no="200009")
    on = date(2027, 3, 1).toordinal() + ahead
    f.step("events", events=["move_out"], event_date=date.fromordinal(on).isoformat())
    w = codes(f.v).get("event_date_ahead")
    assert bool(w) == warned
    if warned:
        assert w["severity"] == "warning" and "15 日後" in w["message"]
        f.step("acknowledge", key=w["key"], reason="引越し業者の都合で早めに来庁")
        assert not codes(f.v)["event_date_ahead"]["needs_acknowledgement"]


# ------------------------------------------------------------------ 期限超過


def test_a_late_move_in_is_accepted_with_the_reason_and_shown_on_the_guide_sheet(
    clerk_client, pending_family, settings
):
    settings.MADOGUCHI_BUSINESS_DATE = "2027-04-30"  # moved in 2027-03-29: 32 days later
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="P0000000011")
    f.step("answers", flags={"p1": {"dog_owner": True}})
    # every procedure whose deadline passed is named; the 転入届 (2027-04-12) among them
    assert {"registry.move_in", "mynumber.card_continuation"} <= set(f.v["overdue"])
    assert "school.transfer_in" not in f.v["overdue"]  # no date to miss
    late = codes(f.v)["notification_late"]
    assert late["severity"] == "warning" and "registry.move_in" in late["procedures"]
    assert "mynumber.card_continuation" not in late["procedures"]  # 番号利用法: no court
    assert "簡易裁判所" in late["message"] and "令和9年4月12日" in late["message"]
    assert f.step("confirm", expect=400)["errors"][0]["field"] == "event_date"
    f.step("acknowledge", key=late["key"], reason="入院のため来庁できなかった")
    f.step("confirm")
    # the screen: 期限超過 beside the procedures, the warning with its reason
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert page.count('class="badge overdue"') == len(f.v["overdue"])
    assert "入院のため来庁できなかった" in page and "令和9年4月30日" in page
    # the guide sheet says the same
    pdf = clerk_client.get(f"/counter/visits/{f.id}/bundle.pdf")
    text = pdf_text(pdf.content)
    assert "ご注意" in text and "簡易裁判所" in text and "転入届" in text
    assert text.count("期限超過") >= len(f.v["overdue"])
    assert Visit.objects.get(pk=f.id).step == "printed"


def test_deadline_on_a_closing_day_moves_to_the_next_open_day(
    clerk_client, pending_family, settings
):
    """2027-03-29 + 14 days = Monday 2027-04-12: in time that day, late the next; a
    deadline on a Sunday would run to Monday (rules/tests/test_notification_dates.py)."""
    settings.MADOGUCHI_BUSINESS_DATE = "2027-04-12"
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="P0000000011")
    assert "registry.move_in" not in f.v["overdue"] and "notification_late" not in codes(f.v)
    settings.MADOGUCHI_BUSINESS_DATE = "2027-04-13"
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    assert "registry.move_in" in f.v["overdue"] and "notification_late" in codes(f.v)


def test_the_visit_screen_names_the_date_field(clerk_client, pending_family, settings):
    settings.MADOGUCHI_BUSINESS_DATE = "2027-03-20"
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="P0000000011")
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'aria-invalid="true"' in page and "受付できません" in page
    assert 'data-field="event_date"' in page
    # the screen's own form posts the acknowledgement like the API
    w = codes(f.v)["event_date_ahead"]
    r = clerk_client.post(
        f"/counter/visits/{f.id}/do/acknowledge/",
        {"version": f.v["version"], "key": w["key"], "reason": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 400 and "異動日" in r.content.decode()


# ------------------------------------------------------------------ 支援措置


def test_a_protected_visit_leaks_no_warning(client, staff_factory, household):
    """The warnings live in the visit: a clerk without the permission gets the refusal,
    not the warning that names the residents."""
    holder = staff_factory("perm", "clerk", "citizen", may_see_protected=True)
    client.force_login(holder)
    f = Flow(client, purpose="move_in")
    Person.objects.filter(atena_no="200002").update(support_measure=True)
    f.step("identify", atena_no="200001")
    assert "resident_move_in" in codes(f.v)
    client.force_login(staff_factory("other", "clerk", "citizen"))
    r = client.get(f"/api/counter/visits/{f.id}")
    body = r.content.decode()
    assert r.status_code == 403 and "北見" not in body and "resident_move_in" not in body
    page = client.get(f"/counter/visits/{f.id}/")
    assert page.status_code == 403 and "北見" not in page.content.decode()


# ------------------------------------------------------------------ search ranking


def _search(client, visit_id, q):
    html = client.post(f"/counter/visits/{visit_id}/search/", {"q": q}).content.decode()
    return [
        line.split('name="atena_no" value="')[1].split('"')[0]
        for line in html.splitlines()
        if 'name="atena_no" value="' in line
    ]


def test_a_move_in_ticket_searches_pending_move_ins_first(clerk_client, household, pending_family):
    (namesake,) = hoshino_resident()  # a resident who shares the family's name
    move_in = Flow(clerk_client, purpose="move_in")
    other = Flow(clerk_client, purpose="move_within")
    first = _search(clerk_client, move_in.id, "ホシノ")
    usual = _search(clerk_client, other.id, "ホシノ")
    assert set(first) == set(usual) and namesake.atena_no in first
    assert first[0].startswith("P") and usual[0] == namesake.atena_no
    assert first.index(namesake.atena_no) == len([a for a in first if a.startswith("P")])


def test_the_api_search_ranks_the_same(clerk_client, household, pending_family):
    r = post(clerk_client, "/api/register/search", {"q": "ホシノ", "pending_first": True})
    assert r.status_code == 200
    assert all(row["atena_no"].startswith("P") for row in r.json()["results"][:4])


# ------------------------------------------------------------------ 死亡届: from the day known


def _death(client, on: str, settings):
    """A death in the household on 2027-03-01, notified on ``on``."""
    settings.MADOGUCHI_BUSINESS_DATE = on
    f = Flow(client, purpose="death")
    f.step("identify", atena_no="200001")
    f.step("events", events=["death"], event_date="2027-03-01")
    f.step("event-details", event="death", details={"deceased": f.pid("200001")})
    return f


def test_a_death_notified_within_7_days_asks_nothing(clerk_client, household, settings):
    """2027-03-01 + 7 days counting the day = Sunday 03-07: in time to Monday 03-08."""
    f = _death(clerk_client, "2027-03-08", settings)
    assert f.v["asked_dates"] == [] and "family_register.death" not in f.v["overdue"]
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'name="death_known_date"' not in page


def test_a_late_death_asks_the_day_it_became_known(clerk_client, household, settings):
    f = _death(clerk_client, "2027-03-09", settings)
    (asked,) = f.v["asked_dates"]
    assert asked["detail"] == "death_known_date" and asked["event"] == "death"
    assert asked["value"] == "2027-03-01" and not asked["answered"]  # default: the death date
    assert asked["procedure"] == "family_register.death" and asked["days"] == 7
    # until answered the deadline runs from the death date: late, like any procedure
    assert "family_register.death" in f.v["overdue"]
    late = codes(f.v)["notification_late"]
    assert "family_register.death" in late["procedures"] and "簡易裁判所" in late["message"]
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'name="death_known_date"' in page and 'value="令和9年3月1日"' in page
    assert "死亡の事実を知った日" in page and "7日を過ぎています" in page
    # learned of it on 03-05: the 7 days run to 03-11, in time
    f.step("event-details", event="death", details={"death_known_date": "R9.3.5"})
    assert f.v["asked_dates"][0] == {**asked, "value": "2027-03-05", "answered": True}
    dl = next(p for p in f.v["result"]["procedures"] if p["id"] == "family_register.death")
    assert dl["deadline"] == "2027-03-11"
    assert "family_register.death" not in f.v["overdue"]
    assert "notification_late" not in codes(f.v)


def test_the_day_known_is_between_the_death_and_the_notification(clerk_client, household, settings):
    f = _death(clerk_client, "2027-03-09", settings)
    r = f.step(
        "event-details", expect=400, event="death", details={"death_known_date": "2027-03-10"}
    )
    assert r["errors"][0]["field"] == "death_known_date" and "届出日より後" in r["detail"]
    f.step("event-details", event="death", details={"death_known_date": "2027-02-27"})
    assert f.v["determine_error"]["field"] == "death_known_date"
    assert "死亡日より前" in f.v["determine_error"]["message"]


def test_a_death_still_late_is_flagged_on_the_guide_sheet(clerk_client, household, settings):
    """Learned of the death on 03-02 (7 days to 03-08), notified on 03-12: 期限超過 on the
    screen and the guide sheet, with the 届出期間経過 notice."""
    f = _death(clerk_client, "2027-03-12", settings)
    f.step("event-details", event="death", details={"death_known_date": "2027-03-02"})
    assert "family_register.death" in f.v["overdue"]
    late = codes(f.v)["notification_late"]
    assert "令和9年3月8日" in late["message"]
    f.step("acknowledge", key=late["key"], reason="遠方の親族で知らせが遅れた")
    f.step("confirm")
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert page.count('class="badge overdue"') == len(f.v["overdue"])
    text = pdf_text(clerk_client.get(f"/counter/visits/{f.id}/bundle.pdf").content)
    assert "死亡届" in text and "期限超過" in text
    assert "届出期間を過ぎて" in text and "簡易裁判所" in text
    assert "令和9年3月8日" in text  # the deadline counted from the day known


def test_a_city_widens_the_move_out_window_by_a_new_catalog_version(
    clerk_client, household, settings, tmp_path
):
    """The advance window is the catalog's (events.yaml ``advance_window_days``): a new
    published version with 30 days accepts the 20-day-ahead 転出 the 14 days refused."""
    import shutil

    from madoguchi.catalog.loader import DEMO_DIR
    from madoguchi.catalog.services import load_into_db

    settings.MADOGUCHI_BUSINESS_DATE = "2027-03-01"
    f = Flow(clerk_client, purpose="move_out")
    f.step("identify", atena_no="200009")
    f.step("events", events=["move_out"], event_date="2027-03-21")
    assert "20 日後" in codes(f.v)["event_date_ahead"]["message"]
    root = tmp_path / "city"
    shutil.copytree(DEMO_DIR, root)
    events = root / "events.yaml"
    events.write_text(
        events.read_text(encoding="utf-8").replace(
            "      - {days: 14, valid_from: 2016-01-01}\n",
            "      - {days: 14, valid_from: 2016-01-01, valid_to: 2027-02-28}\n"
            "      - {days: 30, valid_from: 2027-03-01}\n",
            1,  # 転出 only; 国外転出 keeps 14 days
        ),
        encoding="utf-8",
    )
    load_into_db(root)
    f.step("events", events=["move_out"], event_date="2027-03-21")  # determined again
    assert "event_date_ahead" not in codes(f.v)
    f.step("events", events=["move_out"], event_date="2027-04-01")  # 31 days: still refused
    assert "31 日後" in codes(f.v)["event_date_ahead"]["message"]
    assert "30 日前" in codes(f.v)["event_date_ahead"]["message"]
