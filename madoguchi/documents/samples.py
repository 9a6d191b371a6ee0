"""Sample register blocks for the worked examples (madoguchi/rules/examples): the tests
and bench/documents.py fill every form of an example with them. Part of the package, not
of the tests, so the benchmark runs without the test extras.

The names carry the characters a municipal form must print as registered: 𠮷 (U+20BB7,
outside the BMP), 髙 (U+9AD9), 﨑 (U+FA11, a compatibility ideograph NFC would destroy)
and an IVS sequence (葛 U+845B + U+E0102).
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "rules" / "examples"

IVS_KATSU = "葛\U000e0102"
FAMILY = {
    "p1": ("𠮷田　太郎", "ヨシダ　タロウ"),
    "p2": (f"𠮷田　{IVS_KATSU}子", "ヨシダ　カツコ"),
    "p3": ("𠮷田　髙志", "ヨシダ　タカシ"),
    "p4": ("𠮷田　美﨑", "ヨシダ　ミサキ"),
}
SURNAMES = [
    ("髙橋", "タカハシ"),
    ("山﨑", "ヤマサキ"),
    ("𠮷野", "ヨシノ"),
    (IVS_KATSU + "西", "カサイ"),
]
GIVEN = [
    ("一郎", "イチロウ"),
    ("花子", "ハナコ"),
    ("翔太", "ショウタ"),
    ("結衣", "ユイ"),
    ("和夫", "カズオ"),
    ("幸子", "サチコ"),
    ("健", "ケン"),
    ("葵", "アオイ"),
]


def load_example(name: str) -> dict:
    return yaml.safe_load((Path(EXAMPLES_DIR) / f"{name}.situation.yaml").read_text("utf-8"))


def example_names() -> list[str]:
    return sorted(
        p.name.removesuffix(".situation.yaml") for p in Path(EXAMPLES_DIR).glob("*.situation.yaml")
    )


def with_register(situation: dict, seed: int = 0) -> dict:
    """A copy of ``situation`` whose persons carry sample register blocks."""
    s = copy.deepcopy(situation)
    surname, surname_kana = SURNAMES[seed % len(SURNAMES)]
    for i, p in enumerate(s["persons"]):
        given, given_kana = GIVEN[i % len(GIVEN)]
        name, kana = f"{surname}　{given}", f"{surname_kana}　{given_kana}"
        if s.get("event") == "move_in" and p["id"] in FAMILY and seed == 0:
            name, kana = FAMILY[p["id"]]
        p["register"] = {
            "name": name,
            "kana": kana,
            "postal_code": "0900024",
            "address": "北海道見本市北四条東3丁目1番地",
            "address_extra": "サンプルハイツ201号室",
            "former_postal_code": "1600023",
            "former_address": "東京都新宿区西新宿2丁目8番1号",
            "new_postal_code": "0600001",
            "new_address": "北海道札幌市中央区北一条西2丁目",
            "honseki": "北海道見本市北四条東3丁目1番地",
            "hittousha": s["persons"][0].get("register", {}).get("name", name),
            "phone": "0157-00-0000",
        }
    return s
