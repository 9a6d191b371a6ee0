"""続柄: one table pins the classification and the legal order, and every consumer (the
register import, the register's household order, the counter's prefill, the forms)
gives the same answer."""

from datetime import date

import pytest

from madoguchi.rules import zokugara as Z

# 続柄 as registered → (situation relationship, legal-order group, rank)
TABLE = [
    ("世帯主", "head", Z.HEAD, 0),
    ("夫", "spouse", Z.SPOUSE, 0),
    ("妻", "spouse", Z.SPOUSE, 0),
    ("妻（未届）", "spouse", Z.SPOUSE, 0),
    ("夫(未届)", "spouse", Z.SPOUSE, 0),
    ("子", "child", Z.CHILD, 0),
    ("長男", "child", Z.CHILD, 0),
    ("二女", "child", Z.CHILD, 0),
    ("養子", "child", Z.CHILD, 0),
    ("養女", "child", Z.CHILD, 0),
    ("子（養子）", "child", Z.CHILD, 0),
    ("子の妻", "relative", Z.CHILD_SPOUSE, 0),
    ("子の夫", "relative", Z.CHILD_SPOUSE, 0),
    ("孫", "relative", Z.DESCENDANT, 2),
    ("子の子", "relative", Z.DESCENDANT, 2),
    ("子の子の子", "relative", Z.DESCENDANT, 3),
    ("父", "parent", Z.PARENT, 0),
    ("母", "parent", Z.PARENT, 1),
    ("養父", "parent", Z.PARENT, 2),
    ("養母", "parent", Z.PARENT, 3),
    ("兄", "sibling", Z.SIBLING, 0),
    ("妹", "sibling", Z.SIBLING, 0),
    ("兄弟", "sibling", Z.SIBLING, 0),
    ("姉妹", "sibling", Z.SIBLING, 0),
    ("父の父", "relative", Z.GRANDPARENT, 0),
    ("母の母", "relative", Z.GRANDPARENT, 3),
    ("妻の父", "relative", Z.OTHER_RELATIVE, 0),
    ("兄の子", "relative", Z.OTHER_RELATIVE, 0),
    ("縁故者", "relative", Z.ENKO, 0),
    ("同居人", "cohabitant", Z.DOKYO, 0),
]
UNKNOWN = ["隣人", "", "の"]


@pytest.mark.parametrize("text, relationship, group, rank", TABLE)
def test_classification(text, relationship, group, rank):
    z = Z.classify(text)
    assert (z.relationship, z.group, z.rank) == (relationship, group, rank)


@pytest.mark.parametrize("text", UNKNOWN)
def test_unknown_is_an_error_naming_it(text):
    with pytest.raises(ValueError, match="続柄"):
        Z.classify(text)


def test_children_families_come_before_the_parents():
    """子の妻 and 孫 follow the children and precede 父母 (screen and paper alike)."""
    order = sorted(TABLE, key=lambda row: Z.legal_order_key(row[0], row[1], None))
    texts = [row[0] for row in order]
    assert texts.index("子の妻") < texts.index("孫") < texts.index("父") < texts.index("兄")
    assert texts.index("同居人") == len(texts) - 1


@pytest.mark.parametrize("text, relationship, group, rank", TABLE)
def test_every_consumer_agrees(text, relationship, group, rank):
    from madoguchi.counter.prefill import relationship_of
    from madoguchi.register.importer import relationship_role

    assert relationship_role(text) == relationship
    assert relationship_of(text) == relationship


def test_screen_and_forms_give_the_same_household_order():
    from madoguchi.documents.engine import legal_order_key
    from madoguchi.register.models import Person
    from madoguchi.register.search import legal_order

    rows = [
        (text, rel, date(1950 + i, 1, 1), str(i + 1)) for i, (text, rel, *_g) in enumerate(TABLE)
    ]
    rows.reverse()
    persons = [
        Person(relationship=t, relationship_role=r, birth_date=b, atena_no=a) for t, r, b, a in rows
    ]
    screen = [p.atena_no for p in legal_order(persons)]
    situation = [
        {
            "id": f"p{a}",
            "relationship": r,
            "birth_date": b.isoformat(),
            "register": {"zokugara": t, "atena_no": a},
        }
        for t, r, b, a in rows
    ]
    paper = [p["register"]["atena_no"] for p in sorted(situation, key=legal_order_key)]
    assert screen == paper


def _marriage_kin():
    from madoguchi.rules.family import kin_of
    from madoguchi.rules.situation import validate

    s = validate(
        {
            "event": "marriage",
            "event_date": "2027-05-10",
            "couple": ["p3", "p4"],
            "persons": [
                {
                    "id": "p1",
                    "household": "A",
                    "relationship": "head",
                    "birth_date": "1965-04-04",
                    "sex": "male",
                },
                {
                    "id": "p2",
                    "household": "A",
                    "relationship": "spouse",
                    "birth_date": "1967-08-08",
                    "sex": "female",
                },
                {
                    "id": "p3",
                    "household": "A",
                    "relationship": "child",
                    "birth_date": "1996-01-20",
                    "sex": "male",
                },
                {
                    "id": "p6",
                    "household": "A",
                    "relationship": "child",
                    "birth_date": "1998-01-20",
                    "sex": "female",
                },
                {
                    "id": "p7",
                    "household": "A",
                    "relationship": "relative",
                    "birth_date": "2020-01-20",
                    "sex": "female",
                    "parents": ["p6"],
                },
                {
                    "id": "p4",
                    "household": "B",
                    "relationship": "head",
                    "birth_date": "1997-06-30",
                    "sex": "female",
                },
            ],
        }
    )
    return kin_of(s)


@pytest.mark.parametrize(
    "head,expected",
    [
        # the father stays head: the son's bride joining would be 子の妻, a grandchild 子の子
        (
            "p1",
            {"p1": "世帯主", "p2": "妻", "p3": "子", "p4": "子の妻", "p6": "子", "p7": "子の子"},
        ),
        # the son becomes head of a new household: his wife 妻, his parents 父/母, his sister
        # 妹, her daughter 妹の子 (his niece)
        ("p3", {"p1": "父", "p2": "母", "p3": "世帯主", "p4": "妻", "p6": "妹", "p7": "妹の子"}),
        # the bride as head: her husband 夫, his parents 夫の父/夫の母, his sister 夫の妹,
        # and her daughter 夫の妹の子
        (
            "p4",
            {
                "p1": "夫の父",
                "p2": "夫の母",
                "p3": "夫",
                "p4": "世帯主",
                "p6": "夫の妹",
                "p7": "夫の妹の子",
            },
        ),
    ],
)
def test_zokugara_to_a_new_head(head, expected):
    kin = _marriage_kin()
    assert {p: Z.zokugara_to_head(p, head, kin) for p in expected} == expected
    for text in expected.values():
        if text:
            Z.classify(text)  # every 続柄 given is one the register classifies
