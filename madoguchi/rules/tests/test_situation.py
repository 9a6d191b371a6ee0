"""Invalid situations are rejected with the field named (situation.md, "Invalid situations")."""

import ast
import copy
import inspect
import re
import traceback

import pytest

from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import SituationError, determine, determine_visit, situation
from madoguchi.rules.facts import EVENT_NAMES


def base(event="move_in", **details):
    s = {
        "event": event,
        "event_date": "2027-04-01",
        "persons": [
            {"id": "p1", "relationship": "head", "birth_date": "1985-06-01", "sex": "male"},
            {"id": "p2", "relationship": "spouse", "birth_date": "1987-09-15", "sex": "female"},
            {"id": "p3", "relationship": "child", "birth_date": "2017-06-10", "sex": "male"},
        ],
    }
    s.update(details)
    return s


def birth(**kw):
    s = base("birth", newborn="p4", mother="p2", birth_weight_g=3000)
    s["persons"].append(
        {"id": "p4", "relationship": "child", "birth_date": "2027-04-01", "sex": "female"}
    )
    s.update(kw)
    return s


def divorce(**kw):
    s = base("divorce", couple=["p1", "p2"], custodial_parent="p2")
    s.update(kw)
    return s


def person(s, i, **kw):
    s["persons"][i].update(kw)
    return s


def drop(s, i, key):
    del s["persons"][i][key]
    return s


def drop_key(s, key):
    del s[key]
    return s


def nobody_moves():
    s = base()
    for p in s["persons"]:
        p["moving"] = False
    return s


CASES = [
    # spec v2 inputs
    ("parents not a list", lambda: person(base(), 2, parents="p1"), "persons[2].parents"),
    ("three parents", lambda: person(base(), 2, parents=["p1", "p2", "p1"]), "persons[2].parents"),
    ("parent twice", lambda: person(base(), 2, parents=["p1", "p1"]), "persons[2].parents"),
    ("unknown parent", lambda: person(base(), 2, parents=["p1", "p9"]), "persons[2].parents[1]"),
    ("own parent", lambda: person(base(), 2, parents=["p3"]), "persons[2].parents[0]"),
    (
        "born after event_date",
        lambda: person(base(), 2, birth_date="2027-04-02"),
        "persons[2].birth_date",
    ),
    (
        "planned move-out after event_date",
        lambda: base(planned_move_out_date="2027-04-02"),
        "planned_move_out_date",
    ),
    (
        "planned move-out not a date",
        lambda: base(planned_move_out_date="2027-02-30"),
        "planned_move_out_date",
    ),
    (
        "planned move-out on move_out",
        lambda: base("move_out", planned_move_out_date="2027-03-20"),
        "planned_move_out_date",
    ),
    (
        "premature not a boolean",
        lambda: birth(premature_hospitalized="yes"),
        "premature_hospitalized",
    ),
    ("premature on move_in", lambda: base(premature_hospitalized=True), "premature_hospitalized"),
    (
        "special address on a person who stays",
        lambda: person(base(), 1, moving=False, flags=["special_address_facility"]),
        "persons[1].flags",
    ),
    (
        "special address on move_in_from_abroad",
        lambda: person(base("move_in_from_abroad"), 0, flags=["special_address_facility"]),
        "persons[0].flags",
    ),
    ("surname change of a child", lambda: divorce(surname_changes=["p3"]), "surname_changes[0]"),
    (
        "custodial parent needed for a 16-year-old before 2024-10-01 (support-kid)",
        lambda: person(
            drop_key(divorce(event_date="2024-09-30"), "custodial_parent"),
            2,
            birth_date="2008-06-01",
        ),
        "custodial_parent",
    ),
    ("unknown event", lambda: base("moving"), "event"),
    (
        "missing event_date",
        lambda: {k: v for k, v in base().items() if k != "event_date"},
        "event_date",
    ),
    ("event_date not a real date", lambda: base(event_date="2027-02-30"), "event_date"),
    ("event_date wrong format", lambda: base(event_date="2027/04/01"), "event_date"),
    (
        "birth_date not real",
        lambda: person(base(), 1, birth_date="1987-13-01"),
        "persons[1].birth_date",
    ),
    (
        "birth_date in 和暦",
        lambda: person(base(), 0, birth_date="昭和60年6月1日"),
        "persons[0].birth_date",
    ),
    ("missing id", lambda: drop(base(), 2, "id"), "persons[2].id"),
    ("missing relationship", lambda: drop(base(), 1, "relationship"), "persons[1].relationship"),
    ("missing birth_date", lambda: drop(base(), 0, "birth_date"), "persons[0].birth_date"),
    ("missing sex", lambda: drop(base(), 2, "sex"), "persons[2].sex"),
    ("no head", lambda: person(base(), 0, relationship="parent"), "persons"),
    ("two heads", lambda: person(base(), 1, relationship="head"), "persons"),
    ("two spouses", lambda: person(base(), 2, relationship="spouse"), "persons[2].relationship"),
    ("nobody moves", lambda: nobody_moves(), "persons"),
    ("moving outside a move event", lambda: person(birth(), 0, moving=True), "persons[0].moving"),
    (
        "health_insurance_before equals health_insurance",
        lambda: person(divorce(), 1, health_insurance="nhi", health_insurance_before="nhi"),
        "persons[1].health_insurance_before",
    ),
    (
        "pension_before equals pension",
        lambda: person(divorce(), 1, pension="1", pension_before=1),
        "persons[1].pension_before",
    ),
    (
        "health_insurance_before for a person moving in",
        lambda: person(base(), 0, health_insurance="nhi", health_insurance_before="employee"),
        "persons[0].health_insurance_before",
    ),
    (
        "pension_before for the deceased",
        lambda: person(base("death", deceased="p1"), 0, pension="1", pension_before="2"),
        "persons[0].pension_before",
    ),
    (
        "public_servant and child_allowance_recipient",
        lambda: person(base(), 0, flags=["public_servant", "child_allowance_recipient"]),
        "persons[0].flags",
    ),
    (
        "both of a divorcing couple receive child allowance",
        lambda: person(
            person(divorce(), 0, flags=["child_allowance_recipient"]),
            1,
            flags=["child_allowance_recipient"],
        ),
        "persons[1].flags",
    ),
    ("duplicate id", lambda: person(base(), 2, id="p1"), "persons[2].id"),
    ("bad relationship", lambda: person(base(), 2, relationship="son"), "persons[2].relationship"),
    ("bad sex", lambda: person(base(), 2, sex="m"), "persons[2].sex"),
    (
        "bad health_insurance",
        lambda: person(base(), 0, health_insurance="shaho"),
        "persons[0].health_insurance",
    ),
    ("bad pension", lambda: person(base(), 0, pension=4), "persons[0].pension"),
    (
        "bad pension_before",
        lambda: person(divorce(), 1, pension_before="x"),
        "persons[1].pension_before",
    ),
    (
        "lower-case nationality",
        lambda: person(base(), 1, nationality="us"),
        "persons[1].nationality",
    ),
    (
        "three-letter nationality",
        lambda: person(base(), 1, nationality="USA"),
        "persons[1].nationality",
    ),
    (
        "unknown flag",
        lambda: person(base(), 0, flags=["my_number_card", "vip"]),
        "persons[0].flags[1]",
    ),
    ("unknown person key", lambda: person(base(), 0, name="山田"), "persons[0].name"),
    ("unknown top-level key", lambda: base(note="x"), "note"),
    (
        "two primary earners",
        lambda: person(person(base(), 0, flags=["primary_earner"]), 1, flags=["primary_earner"]),
        "persons[1].flags",
    ),
    (
        "birth without newborn",
        lambda: {k: v for k, v in birth().items() if k != "newborn"},
        "newborn",
    ),
    ("birth without mother", lambda: {k: v for k, v in birth().items() if k != "mother"}, "mother"),
    (
        "birth without weight",
        lambda: {k: v for k, v in birth().items() if k != "birth_weight_g"},
        "birth_weight_g",
    ),
    (
        "newborn not born on event_date",
        lambda: person(birth(), 3, birth_date="2027-03-31"),
        "newborn",
    ),
    ("mother is the newborn", lambda: birth(mother="p4"), "mother"),
    ("weight not an integer", lambda: birth(birth_weight_g=2500.5), "birth_weight_g"),
    ("weight not positive", lambda: birth(birth_weight_g=0), "birth_weight_g"),
    (
        "lump_sum_difference not a boolean",
        lambda: birth(lump_sum_difference="yes"),
        "lump_sum_difference",
    ),
    ("death without deceased", lambda: base("death"), "deceased"),
    ("deceased not a person", lambda: base("death", deceased="p9"), "deceased"),
    ("marriage without couple", lambda: base("marriage"), "couple"),
    ("couple of one", lambda: base("marriage", couple=["p1"]), "couple"),
    ("couple of the same person", lambda: base("marriage", couple=["p1", "p1"]), "couple"),
    ("couple member not a person", lambda: base("marriage", couple=["p1", "p9"]), "couple[1]"),
    (
        "surname_changes names a stranger",
        lambda: base("marriage", couple=["p1", "p2"], surname_changes=["x"]),
        "surname_changes[0]",
    ),
    (
        "divorce with a kid and no custodial parent",
        lambda: base("divorce", couple=["p1", "p2"]),
        "custodial_parent",
    ),
    (
        "custodial parent outside the couple",
        lambda: divorce(custodial_parent="p3"),
        "custodial_parent",
    ),
    (
        "keeps_married_surname outside the couple",
        lambda: divorce(keeps_married_surname=["p3"]),
        "keeps_married_surname[0]",
    ),
    (
        "keeps_married_surname also in surname_changes",
        lambda: divorce(surname_changes=["p2"], keeps_married_surname=["p2"]),
        "keeps_married_surname[0]",
    ),
    (
        "same_prefecture outside move_in/move_out",
        lambda: base("move_within", same_prefecture=True),
        "same_prefecture",
    ),
    (
        "school_district_changes on move_in",
        lambda: base(school_district_changes=True),
        "school_district_changes",
    ),
    ("a birth detail on a move", lambda: base(newborn="p3"), "newborn"),
    (
        "custodial_parent on marriage",
        lambda: base("marriage", couple=["p1", "p2"], custodial_parent="p1"),
        "custodial_parent",
    ),
    ("same_prefecture not a boolean", lambda: base(same_prefecture="no"), "same_prefecture"),
    ("persons empty", lambda: base(persons=[]), "persons"),
]


@pytest.mark.parametrize("make,field", [(m, f) for _, m, f in CASES], ids=[c[0] for c in CASES])
def test_invalid_situation_names_the_field(make, field):
    with pytest.raises(SituationError) as info:
        determine(make(), demo_catalog())
    assert info.value.field == field
    assert info.value.message and info.value.message_en


def test_valid_variants_are_accepted():
    cat = demo_catalog()
    s = base()
    s["persons"][0].update(pension=1, nationality="US", flags=[])
    assert determine(s, cat)["procedures"]
    import datetime

    s = base(event_date=datetime.date(2027, 4, 1))
    assert determine(s, cat)["event_date"] == "2027-04-01"
    # divorce without a kid needs no custodial parent
    s = base("divorce", couple=["p1", "p2"])
    s["persons"].pop()
    assert determine(s, cat)["event"] == "divorce"
    # register is accepted and ignored
    s = base()
    s["persons"][0]["register"] = {"name": "山田　太郎"}
    assert determine(s, cat) == determine(base(), cat)
    # spec v2 inputs
    s = base(planned_move_out_date="2027-03-25")
    s["persons"][2]["parents"] = ["p2"]
    s["persons"][0]["flags"] = ["special_address_facility"]
    assert determine(s, cat)["event"] == "move_in"
    assert determine(birth(premature_hospitalized=True), cat)["event"] == "birth"
    # a grown-up child of the couple (past the 18-rule age) needs no custodial parent
    s = base("divorce", couple=["p1", "p2"])
    s["persons"][2]["birth_date"] = "2005-01-01"
    assert determine(s, cat)["event"] == "divorce"


def test_determine_does_not_modify_the_situation():
    s = base()
    before = copy.deepcopy(s)
    determine(s, demo_catalog())
    assert s == before


def test_visit_names_the_situation_index():
    with pytest.raises(SituationError) as info:
        determine_visit([base(), base(event="nope")], demo_catalog())
    assert info.value.field == "situations[1].event"


def test_event_date_outside_the_catalog_is_rejected():
    with pytest.raises(SituationError) as info:
        situation = base(event_date="2010-04-01")
        situation["persons"] = situation["persons"][:2]  # born before 2010
        determine(situation, demo_catalog())
    assert info.value.field == "event_date"


# More invalid inputs, so that every message the validator can raise is produced below.
MORE_CASES = [
    ("situation not a mapping", lambda: ["event"], "(situation)"),
    ("person not a mapping", lambda: base(persons=["p1"]), "persons[0]"),
    ("empty id", lambda: person(base(), 1, id=""), "persons[1].id"),
    ("flags not a list", lambda: person(base(), 0, flags="primary_earner"), "persons[0].flags"),
    ("register not a mapping", lambda: person(base(), 0, register="x"), "persons[0].register"),
    ("couple not a list", lambda: base("marriage", couple="p1"), "couple"),
    ("a man marked pregnant", lambda: person(base(), 0, flags=["pregnant"]), "persons[0].flags"),
    (
        "death known before it happened",
        lambda: base("death", deceased="p1", death_known_date="2027-03-31"),
        "death_known_date",
    ),
    # several households (situation.md, "Several households")
    ("outside not a boolean", lambda: person(base(), 2, outside="yes"), "persons[2].outside"),
    (
        "relationship on a person outside",
        lambda: person(base(), 2, outside=True),
        "persons[2].relationship",
    ),
    (
        "empty id outside",
        lambda: base(persons=[*base()["persons"], {"id": "", "outside": True}]),
        "persons[3].id",
    ),
    (
        "everyone outside",
        lambda: base(persons=[{"id": "p1", "outside": True}]),
        "persons",
    ),
    ("household not a string", lambda: person(base(), 0, household=1), "persons[0].household"),
    (
        "household on some members only",
        lambda: person(base(), 0, household="A"),
        "persons[1].household",
    ),
    (
        "two heads in one household",
        lambda: households(person(base(), 1, relationship="head")),
        "persons",
    ),
    (
        "two spouses in one household",
        lambda: households(person(base(), 2, relationship="spouse")),
        "persons[2].relationship",
    ),
    (
        "two earners in one household",
        lambda: households(
            person(person(base(), 0, flags=["primary_earner"]), 1, flags=["primary_earner"])
        ),
        "persons[1].flags",
    ),
    ("newborn outside", lambda: outside_newborn(), "newborn"),
    # twins and more (situation.md, "Several newborns")
    ("newborns of one", lambda: twins(newborns=["p4"]), "newborns"),
    ("newborns not led by newborn", lambda: twins(newborns=["p5", "p4"]), "newborns[0]"),
    (
        "a twin not born that day",
        lambda: person(twins(), 4, birth_date="2027-03-31"),
        "newborns[1]",
    ),
    ("twins with one weight", lambda: twins(birth_weight_g=2400), "birth_weight_g"),
    ("a twin without a weight", lambda: twins(birth_weight_g={"p4": 2400}), "birth_weight_g.p5"),
    (
        "a weight for someone not born",
        lambda: twins(birth_weight_g={"p4": 2400, "p5": 2300, "p3": 20000}),
        "birth_weight_g.p3",
    ),
    (
        "a twin weight not an integer",
        lambda: twins(birth_weight_g={"p4": 2400, "p5": "2.3kg"}),
        "birth_weight_g.p5",
    ),
    (
        "weights per child for one child",
        lambda: birth(birth_weight_g={"p4": 2400}),
        "birth_weight_g",
    ),
    (
        "premature names someone not born",
        lambda: twins(premature_hospitalized=["p3"]),
        "premature_hospitalized[0]",
    ),
    ("a newborn twin outside", lambda: outside_twin(), "newborns"),
    # the deceased from outside (situation.md, "Persons outside the households")
    (
        "deceased outside without birth date",
        lambda: outside_deceased(birth=False),
        "persons[3].birth_date",
    ),
    (
        "a head after who moves out",
        lambda: person(base("move_out"), 2, head_after=True),
        "persons[2].head_after",
    ),
    (
        "a new household without a head",
        lambda: person(base("household_change"), 2, household_after="B"),
        "persons[2].household_after",
    ),
    ("household change that changes nothing", lambda: base("household_change"), "persons"),
]


def households(s):
    for p in s["persons"]:
        p["household"] = "A"
    return s


def twins(**kw):
    s = birth(newborns=["p4", "p5"], birth_weight_g={"p4": 2400, "p5": 2300})
    s["persons"].append(
        {"id": "p5", "relationship": "child", "birth_date": "2027-04-01", "sex": "male"}
    )
    s.update(kw)
    return s


def outside_twin():
    s = twins()
    s["persons"][4] = {"id": "p5", "outside": True, "birth_date": "2027-04-01"}
    return s


def outside_deceased(birth=True):
    s = base("death", deceased="x1")
    dead = {"id": "x1", "outside": True, "sex": "male"}
    if birth:
        dead["birth_date"] = "1950-01-01"
    s["persons"].append(dead)
    return s


def outside_newborn():
    s = birth()
    s["persons"][3] = {"id": "p4", "outside": True, "birth_date": "2027-04-01"}
    return s


# ASCII words left once the echoed input values ('son', '2027/04/01') are taken out.
_ASCII_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]+")
_ECHO = re.compile(r"'[^']*'|\"[^\"]*\"")


def _raise_sites(module) -> set[int]:
    tree = ast.parse(inspect.getsource(module))
    return {
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and getattr(node.exc.func, "id", "") == "SituationError"
    }


def test_japanese_messages_name_no_internal_ids():
    """A clerk reads 「出生の届出には出産した人が必要です」, never 「birth には mother が必要です」
    or a person id (p3); the English message keeps the ids for API users."""
    path = inspect.getsourcefile(situation)
    seen = set()
    for name, make, _field in CASES + MORE_CASES:
        with pytest.raises(SituationError) as info:
            situation.validate(make())
        seen |= {f.lineno for f in traceback.extract_tb(info.tb) if f.filename == path}
        message = info.value.message
        assert not re.search(r"\bp\d+\b", message), (name, message)
        assert not _ASCII_ID.findall(_ECHO.sub("", message)), (name, message)
        assert info.value.message_en != message, name
    missing = _raise_sites(situation) - seen
    assert not missing, f"no case produces the messages raised at lines {sorted(missing)}"


def test_event_names_are_the_catalog_names():
    assert EVENT_NAMES == {e.id: e.name for e in demo_catalog().events.values()}


@pytest.mark.parametrize(
    "make,field", [(m, f) for _, m, f in MORE_CASES], ids=[c[0] for c in MORE_CASES]
)
def test_more_invalid_situations_name_the_field(make, field):
    with pytest.raises(SituationError) as info:
        situation.validate(make())
    assert info.value.field == field
