"""Person-level entry at the counter: the newborn of a birth, foreign residents, the fields
captured once, 和暦 date inputs. Each scenario runs from the ticket to the signed bundle
and compares the procedures with the rules' own example (``rules/examples``)."""

import io
from datetime import date

import pytest

from madoguchi.counter.models import Visit, VisitPerson
from madoguchi.counter.tests.test_visit import Flow as _Flow
from madoguchi.counter.tests.test_visit import expected, post
from madoguchi.tasks.models import Task


def pdf_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(io.BytesIO(pdf))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    return text.replace(" ", "").replace("\r", "").replace("\n", "")


def field_of(body: dict) -> str:
    """The field an API error names (the one error body of core/apierrors.py)."""
    return body["errors"][0]["field"] if body.get("errors") else ""


class Flow(_Flow):
    def do(self, step, body, expect=200):
        """A step whose body has a ``name`` field (``step`` takes the step's name)."""
        r = post(
            self.c, f"/api/counter/visits/{self.id}/{step}", {"version": self.v["version"], **body}
        )
        assert r.status_code == expect, r.content.decode()
        if expect == 200:
            self.v = r.json()
        return r.json()


NEWBORN = dict(
    name="星野　陽葵",
    kana="ほしの　ひまり",
    sex="female",
    birth_date="R9.6.12",
    birth_time="14:05",
    birth_place="北見赤十字病院",
    weight_g="2300",
    mother="p2",
    father="p1",
)


def test_birth_from_ticket_to_signed_bundle(clerk_client, couple):
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    # before the newborn is entered the rules say what is missing, in words
    assert f.v["determine_error"]["field"] in ("newborn", "mother", "birth_weight_g")
    f.do("newborn", NEWBORN)
    nb = next(p for p in f.v["persons"] if p["source"] == "newborn")
    assert nb["pid"] == "p3" and nb["data"]["birth_date"] == "2027-06-12"
    assert nb["data"]["register"]["kana"] == "ホシノ　ヒマリ"  # the reading in katakana
    assert nb["data"]["register"]["name"] == "星野　陽葵"
    assert nb["data"]["parents"] == ["p2", "p1"] and nb["data"]["relationship"] == "child"
    assert f.v["event_date"] == "2027-06-12"
    # the rules' example: lump sum difference, the father is the primary earner
    f.step("event-details", event="birth", details={"lump_sum_difference": True})
    f.step("answers", flags={"p1": {"primary_earner": True}})
    assert f.procedures() == expected("birth_low_weight_nhi_mother")
    f.step("confirm")
    pdf = clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    # the newborn is printed on the forms that concern it: 児童手当 (the kids' table),
    # 子ども医療費 (its own form), 国保 (a member), 出生連絡票
    assert text.count("星野\u3000陽葵") >= 4, text[:500]
    assert "ホシノ" in text and "北見赤十字病院" in text
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    f.step("sign", id_document="my_number_card")
    assert f.v["step"] == "done"
    assert set(Task.objects.filter(visit_id=f.id).values_list("procedure_id", flat=True)) == set(
        expected("birth_low_weight_nhi_mother")
    )


def test_twins_from_ticket_to_bundle(clerk_client, couple):
    """Twins: the clerk adds another newborn of the same birth (same parents and birth
    date, its own name, sex, time and weight); every newborn rule applies to each, the
    児童手当 claim lists both, one 出生届 and one 出生連絡票 per newborn."""
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    f.do("newborn", {**NEWBORN, "weight_g": "2600"})
    twin = {
        **NEWBORN,
        "name": "星野　𠮷人",
        "kana": "ほしの　よしと",
        "sex": "male",
        "birth_time": "14:21",
        "weight_g": "2310",
        "premature_hospitalized": True,
        "target": "new",
    }
    err = f.do("newborn", {**twin, "birth_date": "R9.6.13"}, 400)
    assert field_of(err) == "birth_date"
    f.do("newborn", twin)
    born = [p for p in f.v["persons"] if p["source"] == "newborn"]
    assert [p["pid"] for p in born] == ["p3", "p4"]
    ev = Visit.objects.get(pk=f.id).events.get(event="birth")
    assert ev.details["newborns"] == ["p3", "p4"] and ev.details["newborn"] == "p3"
    assert ev.details["birth_weight_g"] == {"p3": 2600, "p4": 2310}
    assert ev.details["premature_hospitalized"] == ["p4"]
    # correcting the first keeps the twin
    f.do("newborn", {**NEWBORN, "weight_g": "2650", "target": "p3"})
    ev.refresh_from_db()
    assert ev.details["birth_weight_g"] == {"p3": 2650, "p4": 2310}
    f.step("answers", flags={"p1": {"primary_earner": True}})
    got = {p["id"]: p["persons"] for p in f.v["result"]["procedures"]}
    assert got["family_register.birth"] == ["p3", "p4"]
    assert got["health.newborn_visit"] == ["p3", "p4"]
    assert got["health.low_birth_weight"] == ["p4"]
    assert got["child_allowance.claim"] == ["p1"]
    capture_all(f)
    f.step("confirm")
    pdf = clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf")
    text = pdf_text(pdf.content)
    assert text.count("出生届") >= 2 and text.count("出生連絡票") >= 2
    assert "星野\u3000𠮷人" in text and "星野\u3000陽葵" in text  # the registered glyphs
    assert "（長女）" in text and "（長男）" in text  # 父母との続き柄, counted by sex
    assert "嫡出子" in text and "同居を始めたとき" in text


def test_birth_registration_questions_are_asked_once_of_the_mother(clerk_client, couple):
    """同居を始めたとき and 世帯のおもな仕事 are asked once, of the mother (twins share
    them); a month is typed as clerks type it; the main earner's 職業 left blank is taken
    from the household's main job where the category says it."""
    from madoguchi.counter import capture

    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    f.do("newborn", NEWBORN)
    f.do("newborn", {**NEWBORN, "name": "星野　陽翔", "sex": "male", "target": "new"})
    f.step("answers", flags={"p1": {"primary_earner": True}})
    asked = [(pid, key) for pid, key, _forms in capture.needed(Visit.objects.get(pk=f.id))]
    assert asked.count(("p2", "cohabit_since")) == 1 and ("p2", "household_work") in asked
    assert not any(key == "cohabit_since" for pid, key in asked if pid != "p2")
    assert ("p1", "occupation") in asked  # 児童手当
    body = f.step("capture", expect=400, values={"p2": {"cohabit_since": "R5.13"}})
    assert field_of(body) == "p2.cohabit_since"
    f.step("capture", values={"p2": {"cohabit_since": "R5.4", "household_work": "3"},
                              "p1": {"occupation": ""}})  # fmt: skip
    persons = {p.pid: p for p in Visit.objects.get(pk=f.id).persons.all()}
    assert persons["p2"].data["register"]["cohabit_since"] == "令和5年4月"
    assert persons["p1"].data["register"]["occupation"] == "会社員"


def test_newborn_whose_mother_lives_elsewhere(clerk_client, couple):
    """A mother from outside every household: typed by name and birth date, she is a
    person ``outside`` of the situation; the newborn is born into its father's household,
    he claims 児童手当 here, and none of the mother's procedures is decided here."""
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    err = f.do("newborn", {**NEWBORN, "mother": "outside", "mother_name": ""}, 400)
    assert field_of(err) == "mother_name"
    err = f.do(
        "newborn", {**NEWBORN, "mother": "outside", "mother_name": "網走　花", "father": ""}, 400
    )
    assert field_of(err) == "father"
    outside = {**NEWBORN, "mother": "outside", "mother_name": "網走　花",
               "mother_birth_date": "H8.3.3"}  # fmt: skip
    f.do("newborn", outside)
    f.do("newborn", outside)  # entered again: corrected, not doubled
    mothers = [p for p in f.v["persons"] if p["source"] == "outside"]
    assert len(mothers) == 1 and mothers[0]["data"]["outside"] is True
    assert mothers[0]["data"]["register"]["name"] == "網走　花"
    assert mothers[0]["data"]["birth_date"] == "1996-03-03"
    nb = next(p for p in f.v["persons"] if p["source"] == "newborn")
    assert nb["data"]["parents"] == [mothers[0]["pid"], "p1"]
    got = {p["id"]: p["persons"] for p in f.v["result"]["procedures"]}
    assert got["family_register.birth"] == [nb["pid"]]
    assert got["child_allowance.claim"] == ["p1"]
    assert "health.pregnancy_support_payment" not in got
    page = clerk_client.get(f"/counter/visits/{f.id}/")
    assert page.status_code == 200 and "網走　花" in page.content.decode()
    capture_all(f)
    f.step("confirm")
    text = pdf_text(clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf").content)
    registration = text[: text.index("様式（birth_registration）")]  # the 出生届 is first
    assert "網走\u3000花" in registration and "平成8年3月3日" in registration


def test_newborn_errors_name_the_field(clerk_client, couple):
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    for bad, field in (
        ({"name": ""}, "name"),
        ({"kana": "hoshino"}, "kana"),
        ({"sex": ""}, "sex"),
        ({"birth_date": "R9.2.30"}, "birth_date"),
        ({"birth_time": "25:00"}, "birth_time"),
        ({"weight_g": "2.3kg"}, "weight_g"),
        ({"mother": "p9"}, "mother"),
        ({"father": "p2"}, "father"),
    ):
        body = f.do("newborn", {**NEWBORN, **bad}, 400)
        assert field_of(body) == field, (bad, body)
        assert "p9" not in body["detail"] and "birth_date" not in body["detail"]
    assert not VisitPerson.objects.filter(visit_id=f.id, source="newborn").exists()
    err = f.do("newborn", {**NEWBORN, "birth_date": "R9.2.30"}, 400)
    assert err["detail"].startswith("出生日")


def test_newborn_entered_again_is_corrected_not_doubled(clerk_client, couple):
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    f.do("newborn", NEWBORN)
    f.do("newborn", {**NEWBORN, "weight_g": "3100", "premature_hospitalized": True})
    assert VisitPerson.objects.filter(visit_id=f.id, source="newborn").count() == 1
    ev = Visit.objects.get(pk=f.id).events.get(event="birth")
    assert ev.details["birth_weight_g"] == 3100 and ev.details["premature_hospitalized"]
    assert "health.premature_medical" in f.procedures()
    assert "health.low_birth_weight" not in f.procedures()


TWIN = {
    **NEWBORN,
    "name": "星野　𠮷人",
    "kana": "ほしの　よしと",
    "sex": "male",
    "birth_time": "14:21",
    "weight_g": "2310",
    "premature_hospitalized": True,
    "target": "new",
}


def _audited(action: str) -> int:
    from madoguchi.audit.models import AuditRecord

    return AuditRecord.objects.filter(action=action).count()


def test_the_second_twin_is_corrected_and_removed_like_the_first(clerk_client, couple):
    """Any newborn of the birth is corrected by its pid (each changed field kept as an
    edit 訂正, audited ``visit.correct_newborn``) or removed with a reason; the birth's
    details keep the others' order, weights and hospitalisation, and the procedures are
    determined again."""
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    f.do("newborn", {**NEWBORN, "weight_g": "2600"})
    f.do("newborn", TWIN)
    f.do("newborn", {**TWIN, "name": "星野　吉人", "weight_g": "2550",
                     "premature_hospitalized": False, "target": "p4"})  # fmt: skip
    assert _audited("visit.correct_newborn") == 1
    born = {p["pid"]: p for p in f.v["persons"] if p["source"] == "newborn"}
    assert list(born) == ["p3", "p4"]  # corrected, not added
    assert born["p4"]["data"]["register"]["name"] == "星野　吉人"
    assert born["p3"]["data"]["register"]["name"] == "星野　陽葵"  # the first untouched
    assert [(e["field"], e["before"], e["after"], e["reason"]) for e in born["p4"]["edits"]] == [
        ("register.name", "星野　𠮷人", "星野　吉人", "訂正")
    ]
    ev = Visit.objects.get(pk=f.id).events.get(event="birth")
    assert ev.details["birth_weight_g"] == {"p3": 2600, "p4": 2550}
    assert "premature_hospitalized" not in ev.details
    assert "health.premature_medical" not in f.procedures()
    # the screen lists both, each with 修正 and 削除; 修正 of the second fills the form
    html = clerk_client.get(f"/counter/visits/{f.id}/?newborn=p4").content.decode()
    assert 'id="nb-edit-p3"' in html and 'id="nb-remove-p4"' in html
    assert 'name="target" value="p4"' in html and 'value="星野　吉人"' in html
    # removed with a reason: a single birth again, re-determined
    err = f.step("remove-person", expect=400, pid="p4", reason="")
    assert field_of(err) == "reason"
    f.step("remove-person", pid="p4", reason="同じ子を二重に入力")
    ev.refresh_from_db()
    assert ev.details["newborn"] == "p3" and "newborns" not in ev.details
    assert ev.details["birth_weight_g"] == 2600
    got = {p["id"]: p["persons"] for p in f.v["result"]["procedures"]}
    assert got["family_register.birth"] == ["p3"]
    assert Visit.objects.get(pk=f.id).state["removed"][-1]["reason"] == "同じ子を二重に入力"
    assert _audited("visit.remove_person") == 1


def test_removing_the_first_twin_makes_the_second_the_newborn(clerk_client, couple):
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    f.do("newborn", {**NEWBORN, "weight_g": "2600"})
    f.do("newborn", TWIN)
    f.step("remove-person", pid="p3", reason="別の日の出生")
    ev = Visit.objects.get(pk=f.id).events.get(event="birth")
    assert ev.details["newborn"] == "p4" and "newborns" not in ev.details
    assert ev.details["birth_weight_g"] == 2310 and ev.details["premature_hospitalized"] is True
    assert "health.premature_medical" in f.procedures()


OUTSIDE_FATHER = dict(
    father="outside",
    father_name="網走　三郎",
    father_kana="あばしり　さぶろう",
    father_birth_date="H5.1.20",
    father_honseki="北海道網走市南六条東1丁目",
    father_hittousha="網走　一郎",
    father_address="北海道網走市南六条東1丁目5番地",
)
SINGLE_MOTHER_CHILD = dict(NEWBORN, name="美幌　結衣", kana="びほろ　ゆい", mother="p1", father="")


def test_a_father_living_elsewhere_is_a_person_outside(clerk_client, families):
    """A child born outside marriage whose father (胎児認知) lives elsewhere: he is entered
    once (氏名, ふりがな, 生年月日, 本籍・筆頭者, 住所), a person ``outside`` of the visit,
    in the newborn's ``parents``, never a member; the mother alone is in the household
    and claims 児童手当; the 出生届 prints him in the 父 column with his age at the birth;
    the twin form names him by his pid, he is not entered twice."""
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300021")  # 美幌 彩, living alone
    err = f.do("newborn", {**SINGLE_MOTHER_CHILD, **OUTSIDE_FATHER, "father_name": ""}, 400)
    assert field_of(err) == "father_name"
    err = f.do("newborn", {**SINGLE_MOTHER_CHILD, **OUTSIDE_FATHER,
                           "father_birth_date": "H5.2.30"}, 400)  # fmt: skip
    assert field_of(err) == "father_birth_date"
    err = f.do("newborn", {**SINGLE_MOTHER_CHILD, **OUTSIDE_FATHER, "father_address": "",
                           "father_address_kind": "abroad"}, 400)  # fmt: skip
    assert field_of(err) == "father_address"
    f.do("newborn", {**SINGLE_MOTHER_CHILD, **OUTSIDE_FATHER})
    fathers = [p for p in f.v["persons"] if p["source"] == "outside"]
    assert len(fathers) == 1
    dad = fathers[0]
    assert dad["data"]["outside"] is True and dad["data"]["sex"] == "male"
    assert dad["data"]["birth_date"] == "1993-01-20"
    assert dad["data"]["register"]["kana"] == "アバシリ　サブロウ"
    assert dad["data"]["register"]["honseki"] == "北海道網走市南六条東1丁目"
    assert not dad["involved"]
    nb = next(p for p in f.v["persons"] if p["source"] == "newborn")
    assert nb["data"]["parents"] == ["p1", dad["pid"]]
    assert nb["data"]["relationship"] == "child"
    got = {p["id"]: p["persons"] for p in f.v["result"]["procedures"]}
    assert got["child_allowance.claim"] == ["p1"]  # the mother: the father claims nowhere here
    # entered again with 住所不定 and a nationality: corrected, the same person
    f.do("newborn", {**SINGLE_MOTHER_CHILD, **OUTSIDE_FATHER, "father_address": "",
                     "father_address_kind": "unfixed", "father_nationality": "韓国"})  # fmt: skip
    fathers = [p for p in f.v["persons"] if p["source"] == "outside"]
    assert [p["pid"] for p in fathers] == [dad["pid"]]
    assert fathers[0]["data"]["register"]["address"] == "住所不定"
    assert fathers[0]["data"]["nationality"] == "KR"
    # a twin of the same father names him by his pid
    f.do("newborn", {**SINGLE_MOTHER_CHILD, "name": "美幌　結斗", "kana": "びほろ　ゆいと",
                     "sex": "male", "father": dad["pid"], "target": "new"})  # fmt: skip
    assert len([p for p in f.v["persons"] if p["source"] == "outside"]) == 1
    twin = next(p for p in f.v["persons"] if p["pid"] == "p4")
    assert twin["data"]["parents"] == ["p1", dad["pid"]]
    # not a member: no household group, the household's procedures count only 彩 and
    # the children
    assert "registry.household_change" not in got
    capture_all(f)
    f.step("confirm")
    text = pdf_text(clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf").content)
    registration = text[: text.index("様式（birth_registration）")]
    assert "網走\u3000三郎" in registration and "平成5年1月20日" in registration
    assert "34" in registration  # his age when the child was born (rules.ages)
    assert "嫡出でない子" in registration


def test_no_father_entered_leaves_the_father_blank(clerk_client, families):
    """嫡出でない子, 認知 not yet done: no father; the 出生届 leaves 父 blank."""
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300021")
    f.do("newborn", SINGLE_MOTHER_CHILD)
    nb = next(p for p in f.v["persons"] if p["source"] == "newborn")
    assert nb["data"]["parents"] == ["p1"]
    assert not [p for p in f.v["persons"] if p["source"] == "outside"]
    capture_all(f)
    f.step("confirm")
    blank = {(b["form"], b["field"]) for b in blank_report(f)}
    assert {("birth_registration", "father_name"),
            ("birth_registration", "father_birth_date")} <= blank  # fmt: skip


def test_a_father_changed_to_none_leaves_the_visit(clerk_client, families):
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300021")
    f.do("newborn", {**SINGLE_MOTHER_CHILD, **OUTSIDE_FATHER})
    f.do("newborn", {**SINGLE_MOTHER_CHILD, "target": "p3"})  # p2: the father
    assert not [p for p in f.v["persons"] if p["source"] == "outside"]
    nb = next(p for p in f.v["persons"] if p["source"] == "newborn")
    assert nb["data"]["parents"] == ["p1"]


def test_the_parents_count_of_their_earlier_children(clerk_client, couple):
    """続き柄 counts only the children the register knows; the parents tell of a son who
    lives with his grandparents: the clerk's count (with a reason, kept as an edit)
    makes the newborn daughter 長女 still and a newborn son 二男; every newborn of the
    birth shares it, and it is printed on the 出生届."""
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    f.do("newborn", NEWBORN)
    assert _prior(f) is None
    err = f.do("newborn", {**NEWBORN, "target": "p3", "prior_male": "1",
                           "prior_female": "0"}, 400)  # fmt: skip
    assert field_of(err) == "prior_reason"
    err = f.do("newborn", {**NEWBORN, "target": "p3", "prior_male": "x"}, 400)
    assert field_of(err) == "prior_male"
    f.do("newborn", {**NEWBORN, "target": "p3", "prior_male": "1", "prior_female": "0",
                     "prior_reason": "長男は祖父母宅に住む"})  # fmt: skip
    assert _prior(f) == {"male": 1, "female": 0}
    nb = next(p for p in f.v["persons"] if p["pid"] == "p3")
    edit = nb["edits"][-1]
    assert edit["field"] == "prior_children" and edit["reason"] == "長男は祖父母宅に住む"
    assert edit["before"] == {"male": 0, "female": 0} and edit["after"] == {"male": 1, "female": 0}
    # the twin (a son) shares the parents' count: 二男
    f.do("newborn", TWIN)
    twin = next(p for p in f.v["persons"] if p["pid"] == "p4")
    assert twin["data"]["register"]["prior_children"] == {"male": 1, "female": 0}
    # saved again as shown: nothing changes, no reason asked
    f.do("newborn", {**NEWBORN, "target": "p3", "prior_male": "1", "prior_female": "0"})
    assert len(next(p for p in f.v["persons"] if p["pid"] == "p3")["edits"]) == 1
    html = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "父母の申出" in html and "長男は祖父母宅に住む" in html
    f.step("answers", flags={"p1": {"primary_earner": True}})
    capture_all(f)
    f.step("confirm")
    text = pdf_text(clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf").content)
    assert "（長女）" in text and "（二男）" in text and "（長男）" not in text
    # back to the register's count: both blank
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    f.do("newborn", {**NEWBORN, "target": "p3", "prior_male": "", "prior_female": ""})
    assert _prior(f) is None
    assert next(p for p in f.v["persons"] if p["pid"] == "p3")["edits"][-1]["reason"] == (
        "住民記録のとおり"
    )


def _prior(f):
    nb = next(p for p in f.v["persons"] if p["pid"] == "p3")
    return nb["data"]["register"].get("prior_children")


def test_newborn_from_the_screen_with_wareki(clerk_client, couple):
    f = Flow(clerk_client, purpose="birth")
    f.step("identify", atena_no="300011")
    page = clerk_client.get(f"/counter/visits/{f.id}/")
    assert 'id="newborn-form"' in page.content.decode()
    r = clerk_client.post(
        f"/counter/visits/{f.id}/do/newborn/",
        {**NEWBORN, "birth_date": "令和9年6月12日", "version": f.v["version"]},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200, r.content.decode()[:400]
    html = r.content.decode()
    assert "星野　陽葵" in html and "出生（届出から入力）" in html
    assert 'value="令和9年6月12日"' in html  # shown in 和暦, whatever the browser's locale
    r = clerk_client.post(
        f"/counter/visits/{f.id}/do/newborn/",
        {**NEWBORN, "birth_date": "5090230", "version": f.v["version"] + 1},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 400 and "出生日" in r.content.decode()


# ------------------------------------------------------------------ foreign residents

FOREIGN_CARD = dict(
    nationality="US",
    nationality_name="アメリカ合衆国",
    name_roman="smith emily",
    art30_45_class="中長期在留者",
    residence_status="日本人の配偶者等",
    residence_period="3年",
    residence_expires_on="2030-06-30",
    residence_card_no="ab12345678cd",
)


def _from_abroad(clerk_client, persons):
    f = Flow(clerk_client, purpose="move_in_from_abroad")
    f.step("paper-persons", persons=persons, former_address="アメリカ合衆国 カリフォルニア州")
    f.step("events", events=["move_in_from_abroad"], event_date="2027-07-01")
    return f


def test_return_from_abroad_with_a_foreign_spouse_to_a_signed_bundle(clerk_client, db):
    """The rules' example ``return_from_abroad``: a Japanese head and his US spouse."""
    f = _from_abroad(
        clerk_client,
        [
            dict(
                name="山本　翔",
                kana="ヤマモト　ショウ",
                birth_date="S63.12.1",
                sex="male",
                relationship="head",
                health_insurance="nhi",
                pension="1",
            ),
            dict(
                name="スミス　エミリー",
                kana="スミス　エミリー",
                birth_date="1990-04-10",
                sex="female",
                relationship="spouse",
                health_insurance="nhi",
                pension="1",
            ),
        ],
    )
    assert f.v["persons"][0]["data"]["birth_date"] == "1988-12-01"  # S63.12.1 read as 和暦
    # Entered as Japanese, the spouse is excluded from the 住居地 notification
    assert "foreign_resident.address_notification" not in f.procedures()
    f.step("foreign-resident", pid="p2", **FOREIGN_CARD)
    p2 = f.v["persons"][1]["data"]
    assert p2["nationality"] == "US"
    assert p2["register"]["residence_card_no"] == "AB********CD"  # masked on the API too
    assert (
        Visit.objects.get(pk=f.id).persons.get(pid="p2").data["register"]["residence_card_no"]
        == "AB12345678CD"
    )  # stored for the 住民異動届 (住民基本台帳法第30条の45)
    f.step("address", postal_code="0900024", town_index=0, banchi="3丁目1番地")
    assert f.procedures() == expected("return_from_abroad")
    # the insurance of a foreign resident is asked, not guessed
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "外国人住民: 加入状況を本人に確認（要確認）" in page
    assert "AB12345678CD" not in page and "AB********CD" in page
    f.step("confirm")
    pdf = clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf")
    text = pdf_text(pdf.content)
    # the 住民異動届 carries the 外国人住民 fields, dates in 西暦
    for value in (
        "米国",  # the list's name for US (not what anybody typed)
        "SMITHEMILY",
        "中長期在留者",
        "日本人の配偶者等",
        "2030年6月30日",
        "AB12345678CD",
        "1990年4月10日",
    ):
        assert value in text, value
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    f.step("sign", id_document="residence_card")
    assert f.v["step"] == "done"


def test_foreign_couple_from_abroad(clerk_client, db):
    f = _from_abroad(
        clerk_client,
        [
            dict(
                name="グエン　ヴァン　アン",
                kana="グエン　ヴァン　アン",
                birth_date="1995-03-02",
                sex="male",
                relationship="head",
                nationality="VN",
            ),
            dict(
                name="チャン　ティ　ビン",
                kana="チャン　ティ　ビン",
                birth_date="1997-08-20",
                sex="female",
                relationship="spouse",
                nationality="VN",
            ),
        ],
    )
    card = dict(
        FOREIGN_CARD,
        nationality="VN",
        nationality_name="ベトナム",
        residence_status="技術・人文知識・国際業務",
        residence_expires_on="R12.3.31",
    )
    f.step("foreign-resident", pid="p1", **dict(card, name_roman="NGUYEN VAN AN"))
    f.step(
        "foreign-resident",
        pid="p2",
        **dict(
            card,
            name_roman="TRAN THI BINH",
            residence_status="家族滞在",
            residence_card_no="CD87654321EF",
        ),
    )
    f.step("address", postal_code="0900024", town_index=0, banchi="3丁目1番地")
    procs = f.procedures()
    assert procs["foreign_resident.address_notification"] == ["p1", "p2"]
    assert procs["registry.move_in_from_abroad"] == ["p1", "p2"]
    assert f.v["persons"][0]["data"]["register"]["residence_expires_on"] == "2030-03-31"
    f.step("confirm")
    text = pdf_text(clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf").content)
    assert "NGUYENVANAN" in text and "TRANTHIBINH" in text and "2030年3月31日" in text
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    f.step("sign", id_document="residence_card")
    assert f.v["step"] == "done"


def test_foreign_resident_errors_name_the_field(clerk_client, household):
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="200001")
    for bad, field in (
        ({"nationality": "JPN"}, "nationality"),
        ({"nationality": "JP"}, "nationality"),
        ({"nationality": "ZZ"}, "nationality"),  # not in the list
        ({"nationality": "べと"}, "nationality"),  # not one entry: picked, not guessed
        ({"nationality": ""}, "nationality"),
        ({"art30_45_class": "観光"}, "art30_45_class"),
        ({"residence_status": "旅行"}, "residence_status"),
        ({"residence_expires_on": "R12.2.30"}, "residence_expires_on"),
        ({"residence_card_no": "AB1234"}, "residence_card_no"),
        ({"name_roman": "山田"}, "name_roman"),
    ):
        body = f.step("foreign-resident", expect=400, pid="p1", **{**FOREIGN_CARD, **bad})
        assert field_of(body) == field, (bad, body)
    assert Visit.objects.get(pk=f.id).persons.get(pid="p1").data["nationality"] == "JP"


@pytest.mark.parametrize(
    ("typed", "code", "name"),
    [
        ("VN", "VN", "ベトナム"),
        ("べとなむ", "VN", "ベトナム"),
        ("betonamu", "VN", "ベトナム"),
        ("アメリカ合衆国", "US", "米国"),
        ("ちょうせん", "XC", "朝鮮"),
        ("ｋｒ", "KR", "韓国"),
        ("台湾", "TW", "台湾"),
    ],
)
def test_nationality_is_picked_from_the_list(clerk_client, household, typed, code, name):
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="200001")
    f.step("foreign-resident", pid="p1", **dict(FOREIGN_CARD, nationality=typed))
    data = f.v["persons"][0]["data"]
    assert (data["nationality"], data["register"]["nationality_name"]) == (code, name)


def test_a_name_not_in_the_list_offers_the_candidates(clerk_client, household):
    f = Flow(clerk_client, purpose="move_in")
    f.step("identify", atena_no="200001")
    body = f.step(
        "foreign-resident", expect=400, pid="p1", **dict(FOREIGN_CARD, nationality="ふぃ")
    )
    assert "フィリピン" in body["detail"] and "フィジー" in body["detail"]


def test_foreign_data_comes_from_the_register(clerk_client, household):
    from madoguchi.register.models import Person

    Person.objects.filter(atena_no="200009").update(
        nationality="PH",
        nationality_name="フィリピン",
        name_roman="SANTOS JOSE",
        art30_45_class="中長期在留者",
        residence_status="定住者",
        residence_period="5年",
        residence_expires_on=date(2031, 1, 31),
        residence_card_no="XY00000001ZZ",
    )
    f = Flow(clerk_client, purpose="move_within")
    f.step("identify", atena_no="200009")
    reg = f.v["persons"][0]["data"]["register"]
    assert reg["nationality_name"] == "フィリピン" and reg["residence_expires_on"] == "2031-01-31"
    assert reg["residence_card_no"] == "XY********ZZ"
    assert f.v["persons"][0]["data"]["nationality"] == "PH"


# ------------------------------------------------------------------ labels, dates


def test_relationship_labels_have_one_source():
    from madoguchi.counter import labels
    from madoguchi.rules import facts

    for key, text in facts.RELATIONSHIP_LABELS.items():
        assert labels.value_label("relationship", key) == text == facts.VALUE_LABELS[key]
    assert labels.value_label("relationship", "parent") == "父母"
    assert facts.VALUE_LABELS["relative"] == "その他の親族"


@pytest.mark.parametrize(
    "typed",
    ["R9.3.29", "令和9年3月29日", "5090329", "2027-03-29", "r9.3.29", "Ｒ９．３．２９"],
)
def test_event_date_is_typed_in_wareki(clerk_client, household, typed):
    f = Flow(clerk_client, purpose="move_within")
    f.step("identify", atena_no="200001")
    r = clerk_client.post(
        f"/counter/visits/{f.id}/do/events/",
        {"events": ["move_within"], "event_date": typed, "version": f.v["version"]},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200, r.content.decode()[:300]
    assert Visit.objects.get(pk=f.id).event_date == date(2027, 3, 29)
    assert 'value="令和9年3月29日"' in r.content.decode()


def test_a_bad_wareki_date_names_the_field(clerk_client, household):
    f = Flow(clerk_client, purpose="move_within")
    f.step("identify", atena_no="200001")
    r = clerk_client.post(
        f"/counter/visits/{f.id}/do/events/",
        {"events": ["move_within"], "event_date": "H31.5.1", "version": f.v["version"]},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 400
    assert "異動日: 「H31.5.1」" in r.content.decode()
    body = f.step(
        "paper-persons",
        expect=400,
        persons=[dict(name="a", kana="ア", birth_date="H7.9.31", sex="male", relationship="head")],
    )
    assert field_of(body) == "persons.1.birth_date" and body["detail"].startswith("1人目: 生年月日")


# ------------------------------------------------------------------ captured once

SAMPLE = {
    "phone": "0157-12-3456",
    "honseki": "北海道北見市北四条東3丁目1番地",
    "hittousha": "星野　健一",
    "occupation": "会社員",
    "bank_name": "北見信用金庫",
    "bank_branch": "本店",
    "bank_account_type": "普通",
    "bank_account_no": "1234567",
    "bank_account_holder": "ほしの　けんいち",
    "school": "札幌市立北小学校",
    "dog_name": "ポチ",
    "dog_breed": "柴",
    "dog_colour": "赤",
    "dog_sex": "オス",
    "dog_birth_date": "R5.4.1",
    "dog_registration_no": "R5-123",
    "rabies_shot_date": "R9.4.10",
    "rabies_tag_no": "R9-456",
    "funeral_host": "北見　花子",
    "funeral_date": "R9.4.5",
    "nhi_no": "123-456",
    "elderly_no": "12345678",
    "death_place": "北見赤十字病院",
    "death_cause": "その他",
    "cremation_date": "R9.4.4",
    "cremation_place": "北見市斎場",
    "pension_no": "1234567890",
    "cohabit_since": "令和5年4月",
    "household_work": "3",
}
# Bound on a form but not printed there, or not the counter's to fill: never a gap.
NOT_ON_PAPER = {
    # a foreign resident's row of the 住民異動届 prints the 外国人住民 fields instead
    ("juminido", "honseki"),
    ("juminido", "hittousha"),
}


def capture_all(f):
    """Answer every field the visit's forms ask for, once; return what was asked."""
    from madoguchi.counter import capture

    visit = Visit.objects.get(pk=f.id)
    asked = capture.needed(visit)
    values: dict = {}
    for pid, key, _forms in asked:
        values.setdefault(pid, {})[key] = SAMPLE[key]
    if values:
        f.step("capture", values=values)
    return asked


def blank_report(f) -> list[dict]:
    """The fields left blank on the printed forms of the visit's bundle."""
    from madoguchi.counter import determination

    return determination.render(Visit.objects.get(pk=f.id)).blank


def fillable_gaps(f, blank: list[dict]) -> list[dict]:
    """Blank fields the counter could have filled: a captured key, or the register's."""
    from madoguchi.counter import capture

    foreign = any(
        p["data"].get("nationality", "JP") != "JP" for p in f.v["persons"]
    )  # the 外国人住民 fields are blank on a Japanese row
    insured_here = any(
        p["source"] == "register" and p["data"].get("health_insurance") in ("nhi", "elderly")
        for p in f.v["persons"]
    )
    from madoguchi.rules.birth import census_year_birth

    census = census_year_birth(date.fromisoformat(f.v["event_date"]))
    gaps = []
    for b in blank:
        sources = b["from"] if isinstance(b["from"], list) else [b["from"]]
        keys = {s.partition(".")[2] for s in sources}
        if not keys & set(capture.BY_KEY):
            continue
        if foreign and (b["form"], b["field"]) in NOT_ON_PAPER:
            continue
        if keys <= {"nhi_no", "elderly_no"} and not insured_here:
            continue  # nobody insured here yet: the department gives the number afterwards
        if b["form"] == "birth_registration" and "occupation" in keys and not census:
            continue  # 父母の職業: only for a birth in a 国勢調査 year (rules.birth)
        gaps.append(b)
    return gaps


def test_capture_asks_only_what_the_forms_need_and_prints_it_everywhere(
    clerk_client, pending_family
):
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")
    f.step("answers", flags={"p1": {"dog_owner": True}, "p2": {"wants_seal": True}})
    f.step("answers", flags={"p4": {"nursery_wanted": True}})
    asked = {(pid, key) for pid, key, _forms in capture_all(f)}
    # the dog of its owner, the claimant's bank and job, the pupil's previous school,
    # 本籍・筆頭者 of each mover (the pending data has none), the 届出人's phone
    assert {("p1", "dog_name"), ("p1", "bank_account_no"), ("p1", "occupation")} <= asked
    assert ("visit", "phone") in asked and ("p1", "phone") not in asked
    assert {("p1", "honseki"), ("p4", "hittousha")} <= asked
    assert ("p3", "school") in asked
    assert not any(key.startswith("funeral") or key == "death_place" for _p, key in asked)
    assert not any(pid != "p1" and key.startswith("dog") for pid, key in asked)
    f.step("confirm")
    blank = blank_report(f)
    assert fillable_gaps(f, blank) == []
    text = pdf_text(clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf").content)
    assert text.count("0157-12-3456") >= 5  # one answer, every form with 電話番号
    for value in ("北見信用金庫", "1234567", "ホシノ\u3000ケンイチ", "ポチ", "札幌市立北小学校"):
        assert value in text, value


def test_capture_for_a_death(clerk_client, household):
    f = Flow(clerk_client, purpose="death")
    f.step("identify", atena_no="200001")
    f.step("event-details", event="death", details={"deceased": "p1"})
    f.step("applicant", applicant="p2")
    from madoguchi.register.models import Person

    assert not Person.objects.get(atena_no="200001").nhi  # 被用者保険: no 葬祭費 here
    asked = {(pid, key) for pid, key, _forms in capture_all(f)}
    assert {("p1", "death_place"), ("p1", "cremation_place"), ("p1", "death_cause")} <= asked
    assert ("visit", "phone") in asked
    f.step("confirm")
    assert fillable_gaps(f, blank_report(f)) == []
    text = pdf_text(clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf").content)
    assert "北見市斎場" in text and "令和9年4月4日" in text


def test_capture_errors_name_the_person_and_field(clerk_client, pending_family):
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")
    name = f.v["persons"][0]["data"]["register"]["name"]
    body = f.step("capture", expect=400, values={"visit": {"phone": "12-34"}})
    assert field_of(body) == "visit.phone" and body["detail"].startswith("電話番号"), body
    for key, bad in (
        ("bank_account_no", "12345"),
        ("occupation", "学生"),
        ("dog_birth_date", "R5.2.30"),
        ("bank_account_holder", "Hoshino"),
    ):
        body = f.step("capture", expect=400, values={"p1": {key: bad}})
        assert field_of(body) == f"p1.{key}" and body["detail"].startswith(name), body
    body = f.step("capture", expect=400, values={"p1": {"pension_no": "1234567890", "bogus": "x"}})
    assert field_of(body) == "bogus"
    reg = Visit.objects.get(pk=f.id).persons.get(pid="p1").data["register"]
    assert "pension_no" not in reg  # nothing half-written


def test_blank_field_report_of_every_scenario(clerk_client, pending_family, couple):
    """Each scenario's bundle, after the interview: the fields still blank are listed;
    none may be one the counter could have filled."""
    reports = {}
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")
    f.step("answers", flags={"p1": {"dog_owner": True}, "p2": {"wants_seal": True}})
    capture_all(f)
    f.step("confirm")
    reports["move_in_family_of_four"] = (f, blank_report(f))

    b = Flow(clerk_client, purpose="birth")
    b.step("identify", atena_no="300011")
    b.do("newborn", NEWBORN)
    b.step("event-details", event="birth", details={"lump_sum_difference": True})
    capture_all(b)
    b.step("confirm")
    reports["birth"] = (b, blank_report(b))

    g = _from_abroad(
        clerk_client,
        [
            dict(name="グエン　ヴァン　アン", kana="グエン", birth_date="1995-03-02", sex="male",
                 relationship="head", nationality="VN", health_insurance="nhi", pension="1"),
        ],
    )  # fmt: skip
    g.step("foreign-resident", pid="p1", **dict(FOREIGN_CARD, nationality="VN"))
    g.step("address", postal_code="0900024", town_index=0, banchi="3丁目1番地")
    capture_all(g)
    g.step("confirm")
    reports["foreign_from_abroad"] = (g, blank_report(g))

    for name, (flow, blank) in reports.items():
        listing = sorted({(x["form"], x["label"]) for x in blank})
        print(name, "blank:", listing)  # the report (pytest -s)
        assert fillable_gaps(flow, blank) == [], name
