"""Values the counter knows before it asks, shown prefilled and marked with where they
came from (issue 11, "capture once"): the 転入予約's phone, the phone of the person's last
visit, the schools list of the previous school, the ID document a 転入届の特例 requires."""

from datetime import date
from pathlib import Path

import pytest

from madoguchi.counter import schools
from madoguchi.counter.models import Visit
from madoguchi.counter.tests.test_visit import Flow

pytestmark = pytest.mark.django_db


def _visit(f) -> Visit:
    return Visit.objects.get(pk=f.id)


def test_pending_move_in_phone_from_the_reservation(clerk_client, pending_family):
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")
    state = _visit(f).state
    assert state["contact_phone"] == pending_family["phone"] == "090-2718-2818"
    assert state["contact_phone_source"] == {"from": "reservation"}
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'value="090-2718-2818"' in page and "転入予約（マイナポータル）より" in page
    # the clerk keeps it: still marked; the clerk changes it: typed, no longer marked
    f.step("capture", values={"visit": {"phone": "090-2718-2818"}})
    assert _visit(f).state["contact_phone_source"] == {"from": "reservation"}
    f.step("capture", values={"visit": {"phone": "0157-12-3456"}})
    state = _visit(f).state
    assert state["contact_phone"] == "0157-12-3456" and "contact_phone_source" not in state
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "転入予約（マイナポータル）より" not in page


def test_phone_from_the_persons_last_signed_visit(clerk_client, household):
    first = Flow(clerk_client, purpose="move_within")
    first.step("identify", atena_no="200002")
    assert "contact_phone" not in _visit(first).state  # nothing known yet: asked
    first.step("applicant", applicant=first.pid("200002"))  # 花子 came
    first.step("capture", values={"visit": {"phone": "0157-99-1234"}})
    Visit.objects.filter(pk=first.id).update(step="done", signed_at="2027-03-01T10:00:00+09:00")
    # another member of the household comes: not the phone they gave, nothing prefilled
    other = Flow(clerk_client, purpose="move_within")
    other.step("identify", atena_no="200001")
    assert "contact_phone" not in _visit(other).state
    again = Flow(clerk_client, purpose="move_within")
    again.step("identify", atena_no="200002")
    state = _visit(again).state
    assert state["contact_phone"] == "0157-99-1234"
    assert state["contact_phone_source"] == {"from": "last_visit", "on": "2027-03-01"}
    page = clerk_client.get(f"/counter/visits/{again.id}/").content.decode()
    assert "前回の来庁（令和9年3月1日）より" in page


def test_undoing_the_identification_forgets_the_prefilled_phone(clerk_client, pending_family):
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")
    for pid in ("p4", "p3", "p2", "p1"):
        f.step("remove-person", pid=pid, reason="別の世帯でした")
    state = _visit(f).state
    assert "contact_phone" not in state and "contact_phone_source" not in state


def test_pending_move_in_preselects_the_my_number_card(clerk_client, pending_family):
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")
    f.step("confirm")
    clerk_client.get(f"/counter/visits/{f.id}/bundle.pdf")
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert '<option value="my_number_card" selected>' in page
    assert "転入届の特例" in page


# ------------------------------------------------------------------ the schools list


def test_demo_schools_list_loads_and_is_checked_with_the_catalog(tmp_path):
    from madoguchi.catalog.loader import DEMO_DIR, CatalogError, load_catalog

    demo = schools.parse(DEMO_DIR)
    assert any(s.name == "世田谷区立太子堂小学校" for s in demo)
    (tmp_path / "schools.yaml").write_text(
        "schools:\n"
        "  - {id: a, name: A小学校, kana: えー, kind: 小学校, municipality: 東京都世田谷区,"
        " valid_from: 2016-01-01}\n"
        "  - {id: b, name: B学校, kana: Bee, kind: 高校, municipality: 東京都, valid_from: x}\n"
        "  - {id: a, name: A小学校, kana: えー, kind: 小学校, municipality: 東京都世田谷区,"
        " valid_from: 2020-01-01}\n",
        encoding="utf-8",
    )
    problems = schools.check(tmp_path)
    assert (3, "b: kind は 小学校・中学校・義務教育学校 のどれかです") in problems
    assert (3, "b: kana はひらがなで書いてください: Bee") in problems
    assert (3, "valid_from: 日付（YYYY-MM-DD）ではありません: x") in problems
    assert (4, "a: 同じ学校の版の期間が重なっています") in problems
    # catalog check reports it like every catalog file: file:line: message
    import shutil

    cat = tmp_path / "cat"
    shutil.copytree(DEMO_DIR, cat)
    shutil.copy(tmp_path / "schools.yaml", cat / "schools.yaml")
    with pytest.raises(CatalogError) as exc:
        load_catalog(cat)
    assert "schools.yaml:4: a: 同じ学校の版の期間が重なっています" in str(exc.value)


def test_romaji_and_kana_type_ahead():
    school = schools.School(
        "x", "世田谷区立太子堂小学校", "たいしどうしょうがっこう", "小学校", "東京都世田谷区",
        date(2016, 1, 1), None,
    )  # fmt: skip
    # any romaji spelling (core.romaji): the long vowel typed as ー or left out too
    for typed in ("t", "tai", "taishi", "taisi", "TAISHIDOU", "taishido-", "taishido",
                  "たいし", "タイシ", "太子堂"):  # fmt: skip
        assert schools.matches(school, typed), typed
    for typed in ("tsu", "しど", "ku"):
        assert not schools.matches(school, typed), typed
    chuo = schools.School(
        "y", "北見市立中央小学校", "ちゅうおうしょうがっこう", "小学校", "北海道北見市",
        date(2016, 1, 1), date(2026, 3, 31),
    )  # fmt: skip
    assert schools.matches(chuo, "chuu") and schools.matches(chuo, "tyuu")
    assert chuo.in_force(date(2026, 3, 31)) and not chuo.in_force(date(2026, 4, 1))


def test_candidates_rank_the_former_municipality_and_the_school_stage():
    from madoguchi.catalog.loader import demo_catalog

    cat = demo_catalog()
    on = date(2027, 3, 29)
    former = "東京都世田谷区桜新町二丁目5番3号"
    names = [s.name for s in schools.candidates(cat, "s", on, former, "elementary")]
    # 世田谷区's elementary schools first, then its junior high schools, then elsewhere
    assert names[0].startswith("世田谷区立") and names[0].endswith("小学校")
    setagaya = [n for n in names if n.startswith("世田谷区立")]
    assert names[: len(setagaya)] == setagaya
    kinds = [n.endswith("小学校") for n in setagaya]
    assert kinds == sorted(kinds, reverse=True)
    assert [s.name for s in schools.candidates(cat, "t", on, former, "elementary")][0] == (
        "世田谷区立太子堂小学校"
    )
    assert schools.candidates(cat, "zzz", on, former, "elementary") == []


def test_schools_type_ahead_view(clerk_client, pending_family):
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")
    html = clerk_client.get(f"/counter/visits/{f.id}/schools/p3/?cap.p3.school=tai").content
    html = html.decode()
    # picker.js's options: the first highlighted, taken by Enter
    assert 'data-value="世田谷区立太子堂小学校" aria-selected="true"' in html
    none = clerk_client.get(f"/counter/visits/{f.id}/schools/p3/?cap.p3.school=zzz")
    assert "一覧にない学校です" in none.content.decode()
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'aria-controls="picker-p3-school"' in page
    assert f'data-picker-url="/counter/visits/{f.id}/schools/p3/"' in page


def test_schools_file_is_exported_with_the_catalog(tmp_path):
    from madoguchi.catalog.loader import DEMO_DIR, export_catalog, load_catalog

    export_catalog(load_catalog(DEMO_DIR), tmp_path)
    assert schools.parse(Path(tmp_path)) == schools.parse(DEMO_DIR)


# ------------------------------------------------------------------ who came, one 戸籍


def test_the_person_identified_is_the_default_notifier(clerk_client, household):
    f = Flow(clerk_client, purpose="death")
    f.step("identify", atena_no="200002")  # 花子 shows her card
    state = _visit(f).state
    assert state["applicant"] == {"person": "p2"} and state["applicant_from"] == "identified"
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'id="applicant-source"' in page
    f.step("event-details", event="death", details={"deceased": "p1"})
    assert _visit(f).state["applicant"] == {"person": "p2"}  # she notifies her husband's
    f.step("applicant", applicant="p2")  # chosen by the clerk now: no longer marked
    assert "applicant_from" not in _visit(f).state


def test_a_default_notifier_who_is_the_deceased_is_dropped(clerk_client, household):
    f = Flow(clerk_client, purpose="death")
    f.step("identify", atena_no="200001")  # the clerk looked up the deceased
    f.step("event-details", event="death", details={"deceased": "p1"})
    state = _visit(f).state
    assert "applicant" not in state and "applicant_from" not in state


def test_the_couples_new_honseki_is_given_once(clerk_client, families):
    from madoguchi.counter.tests.test_households import son_marries

    f, son, bride = son_marries(clerk_client)
    honseki = "北海道北見市北五条東4丁目2番地"
    f.step(
        "new-name", pid=bride, surname="北見", surname_kana="キタミ", honseki=honseki,
        hittousha="北見　健太",
    )  # fmt: skip
    shared = Visit.objects.get(pk=f.id).persons.get(pid=son).data
    assert shared["name_after"] == {"honseki": honseki, "hittousha": "北見　健太"}
    assert shared["name_after_from"] == bride
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "美幌　彩と同じ戸籍（婚姻届）" in page
    # given for him by the clerk: his own, no longer marked; hers is not overwritten
    f.step("new-name", pid=son, surname="", honseki="東京都千代田区1番地", hittousha="北見　健太")
    data = {p.pid: p.data for p in Visit.objects.get(pk=f.id).persons.all()}
    assert "name_after_from" not in data[son]
    assert data[bride]["name_after"]["honseki"] == honseki


# ------------------------------------------------------------------ 要確認, one key


def test_insurance_and_pension_guesses_are_confirmed_with_one_key(clerk_client, pending_family):
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")
    data = {p["pid"]: p["data"] for p in f.v["persons"]}
    # nothing in the register: 被用者保険, and for 20–59 the category that goes with it
    assert (data["p1"]["health_insurance"], data["p1"]["pension"]) == ("employee", "2")
    assert (data["p2"]["health_insurance"], data["p2"]["pension"]) == ("employee", "3")
    assert data["p3"]["pension"] == "none"  # a child: not insured
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert page.count("要確認</small>") >= 6 and 'id="confirm-facts"' in page
    f.step("confirm-facts")
    visit = _visit(f)
    for vp in visit.persons.all():
        confirmed = [e for e in vp.edits if e["reason"] == "本人に確認"]
        assert {e["field"] for e in confirmed} <= {"health_insurance", "pension"}
        assert all(e["before"] == e["after"] for e in confirmed)  # values unchanged
    assert {e["field"] for e in visit.persons.get(pid="p1").edits} == {
        "health_insurance",
        "pension",
    }
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "要確認</small>" not in page and 'id="confirm-facts"' not in page
    from madoguchi.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="visit.confirm_facts").count() == 1
