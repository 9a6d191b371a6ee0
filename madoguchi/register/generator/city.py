"""The synthetic city itself: households and their members, consistent with ages and work."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from madoguchi.register.checkdigit import with_check_digit
from madoguchi.register.generator.data import (
    BUILDINGS,
    FOREIGN,
    KANJI_DIGITS,
    OTHER_CITIES,
    RARE_SHARE,
    RARE_SURNAMES,
    RELATIONSHIP_CODES,
    WORK_STATUSES,
)
from madoguchi.register.generator.sources import _gimei_names, city_towns
from madoguchi.rules import ages, zokugara

# Siblings (not twins) are born at least this far apart: a pregnancy and the months after.
SIBLING_GAP_DAYS = 365


class City:
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
        lo = max(earliest, self.as_of.toordinal() - int(26 * 365.25))
        hi = min(latest, self.as_of.toordinal() - 30)
        taken: list[int] = []
        for _ in range(n):
            sex = self.r.choice("12")
            if lo >= hi:
                break
            birth_day = self.r.randint(lo, hi)
            if any(abs(birth_day - t) < SIBLING_GAP_DAYS for t in taken):
                # a mother gives birth again at the earliest about a year later: move this
                # child a gap after the nearest one, or leave the family one child smaller
                birth_day = max(taken) + SIBLING_GAP_DAYS + self.r.randint(0, 365)
                if birth_day > hi:
                    continue
            taken.append(birth_day)
            birth = dt.date.fromordinal(birth_day)
            kid = self.person(sex, birth, relationship, surname)
            age = ages.completed_years(birth, self.as_of)
            if age >= 19:
                kid["work"] = self._work(age) if self.r.random() < 0.6 else "student"
            kids.append(kid)
        kids.sort(key=lambda k: k["birth_date"])
        return kids

    def _pair(self, lo: int, hi: int, surname=None) -> list[dict]:
        surname = surname or self.surname()
        hb = self.birth(lo, hi)
        sb = dt.date.fromordinal(hb.toordinal() + self.r.randint(-4 * 365, 3 * 365))
        ha, sa = ages.completed_years(hb, self.as_of), ages.completed_years(sb, self.as_of)
        head = self.person("1", hb, "世帯主", surname, work=self._work(ha))
        spouse = self.person("2", sb, "妻", surname, work=self._work(sa, dependant_ok=True))
        if self.r.random() < 0.06:  # the wife is the head
            head["relationship"], spouse["relationship"] = "夫", "世帯主"
            return [spouse, head]
        return [head, spouse]

    def _single_young(self):
        sex = self.r.choice("12")
        b = self.birth(18, 39)
        age = ages.completed_years(b, self.as_of)
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
                work=self._work(ages.completed_years(b, self.as_of)),
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
        head = self.person(
            sex, b, "世帯主", surname, work=self._work(ages.completed_years(b, self.as_of))
        )
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
        son = self.person(
            "1", sb, "子", surname, work=self._work(ages.completed_years(sb, self.as_of))
        )
        wb = dt.date.fromordinal(sb.toordinal() + self.r.randint(-3 * 365, 3 * 365))
        wife = self.person(
            "2",
            wb,
            "子の妻",
            surname,
            work=self._work(ages.completed_years(wb, self.as_of), dependant_ok=True),
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
            self.r.choice("12"),
            cb,
            "子",
            surname,
            work=self._work(ages.completed_years(cb, self.as_of)),
        )
        return members + [child]

    def _siblings(self):
        surname = self.surname()
        b = self.birth(30, 70)
        head = self.person(
            self.r.choice("12"),
            b,
            "世帯主",
            surname,
            work=self._work(ages.completed_years(b, self.as_of)),
        )
        rel = self.r.choice(["弟", "妹", "縁故者", "同居人"])
        if rel in ("弟", "妹"):
            ob = dt.date.fromordinal(b.toordinal() + self.r.randint(365, 10 * 365))
            sex = "1" if rel == "弟" else "2"
            other = self.person(
                sex, ob, rel, surname, work=self._work(ages.completed_years(ob, self.as_of))
            )
        else:
            ob = self.birth(20, 80)
            other = self.person(
                self.r.choice("12"),
                ob,
                rel,
                self.surname(),
                work=self._work(ages.completed_years(ob, self.as_of)),
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
            if ages.child_allowance_age(m["birth_date"], as_of) and m["relationship"] != "世帯主"
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
            age = ages.completed_years(birth, as_of)
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
                m["birth_era"] = era_name(birth)
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
            b75 = ages.nth_birthday(birth, 75)
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
            r65 = ages.reached_date(birth, 65)
            if as_of >= r65:
                m["care_insured"] = True
                m["care_since"] = max(r65, m["became_resident_on"])
            # 国民年金: reached(20) <= d < reached(60)
            if ages.reached_date(birth, 20) <= as_of < ages.reached_date(birth, 60):
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
            if ages.child_allowance_age(birth, as_of):
                flags.append("child_medical_holder")
                school_start = ages.school_start(birth)
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
            m["relationship_role"] = zokugara.relationship_of(m["relationship"])
            m["flags"] = sorted(set(m["flags"]))

    def _removals(self, members: list[dict]) -> None:
        r, as_of = self.r, self.as_of
        # a few deaths (elderly spouses) and moves out (young singles)
        for m in members:
            if (
                m["relationship"] in ("妻", "夫")
                and ages.completed_years(m["birth_date"], as_of) >= 75
                and r.random() < 0.03
            ):
                m["status"] = "3"
                m["removed_on"] = dt.date.fromordinal(as_of.toordinal() - r.randint(5, 700))
                m["removal_reason"] = "死亡"
        if len(members) == 1 and members[0]["relationship"] == "世帯主" and r.random() < 0.012:
            m = members[0]
            if ages.completed_years(m["birth_date"], as_of) < 60:
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


def era_name(d: dt.date) -> str:
    from madoguchi.core.wareki import to_wareki

    return to_wareki(d)[0]
