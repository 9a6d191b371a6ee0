"""English UI: with the language set to English, the staff pages show their headings,
navigation and labels in English, and the committed catalog translates every message.

What may stay Japanese on an English page is data, which has its own translations: the
names, addresses and relationships in the register, 和暦 dates, and the catalog's own
texts (procedure, event and department names, conditions, deadlines)."""

import ast
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import translation

from madoguchi.register.models import Household
from madoguchi.register.tests.test_search import make_person
from madoguchi.rules.facts import SCHOOL_STAGE_JA

PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
# Kana and kanji (not the middle dot ・, which joins catalog names).
JAPANESE = re.compile(r"[\u3040-\u30fa\u30fc-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")
# 和暦 and Japanese-style Western dates: data, kept as they are in every language.
DATES = re.compile(
    r"(明治|大正|昭和|平成|令和)(元|\d+)年(\d+月)?(\d+日)?|\d{4}年(\d+月)?(\d+日)?|[MTSHR]\d+\.\d+\.\d+"
)
# Language names are shown in their own language in the switch; the search field's
# example shows what a clerk types (Japanese script).
LANGUAGE_NAMES = [label for _, label in settings.LANGUAGES] + ["高橋", "たかはし", "ﾀｶﾊｼ"]


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def back_to_japanese():
    """LocaleMiddleware leaves the request's language active in the thread: later tests
    (run in the same thread) must see the default language again."""
    yield
    translation.deactivate()


def po_entries(path: Path = PO) -> list[dict]:
    """The entries of a .po file: msgid, flags and ``msgstrs`` (the translation, or each
    plural form). A small parser: polib is not a dependency."""
    entries, cur, key = [], None, None
    for raw in path.read_text("utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if cur and "msgid" in cur:
                cur["msgstrs"] = [v for k, v in cur.items() if k.startswith("msgstr")]
                entries.append(cur)
            cur, key = None, None
            continue
        cur = cur if cur is not None else {"flags": ""}
        if line.startswith("#,"):
            cur["flags"] += line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid", "msgstr", "msgctxt")):
            key, _, rest = line.partition(" ")
            cur[key] = ast.literal_eval(rest)
        elif line.startswith('"') and key:
            cur[key] += ast.literal_eval(line)
    return entries


def test_po_is_complete_without_fuzzy_entries():
    entries = [e for e in po_entries() if e["msgid"]]
    assert len(entries) > 300  # the whole staff UI, not a handful of strings
    empty = [e["msgid"] for e in entries if not all(e["msgstrs"])]
    fuzzy = [e["msgid"] for e in po_entries() if "fuzzy" in e["flags"]]
    assert empty == [] and fuzzy == []
    same = [e["msgid"] for e in entries if e["msgid"] in e["msgstrs"]]
    assert same == []
    # Japanese stays only in examples of what staff type (e.g. 高橋, 平成5年1月1日)
    japanese = [m for e in entries for m in e["msgstrs"] if JAPANESE.search(m)]
    assert all("e.g." in m for m in japanese), japanese


def test_placeholders_survive_translation():
    for e in po_entries():
        if e["msgid"]:
            names = sorted(re.findall(r"%\((\w+)\)[sd]", e["msgid"]))
            for msgstr in e["msgstrs"]:
                assert names == sorted(re.findall(r"%\((\w+)\)[sd]", msgstr)), e["msgid"]


def test_compiled_catalog_is_committed_and_current():
    from django.utils.translation import gettext, override, pgettext

    mo = PO.with_suffix(".mo")
    assert mo.exists(), "run: cd madoguchi && ../manage.py compilemessages -l en"
    singles = [e for e in po_entries() if e["msgid"] and "msgstr" in e]
    with override("en"):
        stale = [
            e["msgid"]
            for e in singles
            if (pgettext(e["msgctxt"], e["msgid"]) if "msgctxt" in e else gettext(e["msgid"]))
            != e["msgstr"]
        ]
    assert stale == [], f"django.mo is older than django.po: {stale[:5]}"


class _Text(HTMLParser):
    """Visible text and the attributes a user reads (placeholder, title, aria-label)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label", "value") and value:
                if name != "value" or dict(attrs).get("type") in ("submit", "button"):
                    self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _catalog_texts() -> list[str]:
    """Every Japanese text of the configured catalog (data with its own translations) and
    of the sample situations it is explained with."""
    from madoguchi.catalog.browse import _sample_situations, procedure_rows
    from madoguchi.catalog.loader import current_catalog

    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str) and JAPANESE.search(node):
            found.add(node.strip())
            # labels with placeholders ({birth_date}生まれ) appear filled in, and the dates
            # they carry ("2024-10-01 の改正前") are shown in 和暦 on the pages
            found.update(
                f.strip()
                for f in re.split(r"\{\w+\}|\d{4}-\d{2}-\d{2}", node)
                if JAPANESE.search(f)
            )

    for path in Path(settings.MADOGUCHI_CATALOG_DIR).rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text("utf-8")))
    # values the rules fill into those labels (小学校 for {school_stage})
    found.update(SCHOOL_STAGE_JA.values())
    # the titles of the worked examples and scenarios a procedure page lists
    found.update(name for (_, name), _ in _sample_situations())
    cat = current_catalog()
    for row in procedure_rows(cat, date.today()):
        for t in row["triggers"]:
            for c in t["conditions"]:
                found.update(str(v) for v in c.values() if isinstance(v, str))
    return sorted(found, key=len, reverse=True)


@pytest.fixture(scope="module")
def catalog_texts():
    return _catalog_texts()


def untranslated(html: str, data: list[str]) -> list[str]:
    """The page's text pieces that still contain Japanese once data is taken out."""
    parser = _Text()
    parser.feed(html)
    data = sorted([*data, *LANGUAGE_NAMES], key=len, reverse=True)  # 子育て支援課 before 子
    left = []
    for part in parser.parts:
        for d in data:
            if d and d in part:
                part = part.replace(d, " ")
        part = DATES.sub(" ", part)
        if JAPANESE.search(part):
            left.append(part)
    return left


@pytest.fixture
def family(db):
    hh = Household.objects.create(household_no="7001")
    address = dict(prefecture="北海道", city="北見市", town="北四条東", banchi="3丁目1番地")
    head = make_person(
        "窓口\u3000太郎", "マドグチ\u3000タロウ", date(1980, 4, 1), household=hh, atena_no="701",
        nhi=True, nhi_since=date(2020, 4, 1), honseki="北海道北見市", **address,
        flags=["dog_owner", "my_number_card"],
    )  # fmt: skip
    kid = make_person(
        "窓口\u3000陽", "マドグチ\u3000ヨウ", date(2019, 5, 1), household=hh, atena_no="702",
        relationship="子", **address,
    )  # fmt: skip
    data = [head.name, head.name_kana, kid.name, kid.name_kana, "北海道北見市", "子", "世帯主"]
    return hh, head, data + list(address.values())


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, url, data, *expect):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en">' in html, url
    for text in expect:
        assert text in html, (url, text)
    assert untranslated(html, data) == [], (url, untranslated(html, data))
    return html


def test_language_switch_sets_english(client, clerk):
    client.force_login(clerk)
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302 and r.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/").content.decode()
    assert "Resident search" in html and "住民検索" not in html
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    assert "住民検索" in client.get("/").content.decode()


def test_login_page_in_english(client):
    page(english(client), "/accounts/login/", [], "Log in", "Staff ID", "Password")


def test_clerk_pages_in_english(clerk_client, family, catalog_texts):
    hh, head, data = family
    c = english(clerk_client)
    page(c, "/", data, "Resident search", "Procedure catalog", "Log out", "Counter")
    html = page(c, "/register/", data, "Resident search", "Search")
    assert "Counter staff" in html  # the role in the top bar
    r = c.post("/register/", {"q": "マドグチ"})
    assert "2 found" in r.content.decode()
    assert untranslated(r.content.decode(), [*data, "マドグチ"]) == []  # the query itself
    r = c.post("/register/", {"q": "H5.13.1"}, HTTP_HX_REQUEST="true")  # a bad 和暦 date
    assert "the month must be 1–12" in r.content.decode()
    assert untranslated(r.content.decode(), data) == []
    page(
        c, f"/register/person/{head.atena_no}/", data, "Resident ID", "View household",
        "Is the registered owner of a dog",
    )  # fmt: skip
    page(c, f"/register/household/{hh.household_no}/", data, "Household", "Relationship")
    html = page(c, "/catalog/", data + catalog_texts, "Procedure catalog", "All procedures")
    # catalog entries show their own en: translations
    assert "Moving-in notification" in html and "Citizen Affairs Division" in html
    assert "転入届" not in html
    page(c, "/tasks/", data + catalog_texts, "Department tasks", "No procedures waiting")
    page(c, "/counter/", data + catalog_texts, "Call next", "Issue ticket")
    page(c, "/counter/ido/", data, "Every movement record has been handed", "Hand-off")


def test_catalog_procedure_page_in_english(clerk_client, catalog_texts):
    from madoguchi.catalog.loader import current_catalog

    c = english(clerk_client)
    for proc_id in (
        "registry.move_in",
        "child.allowance_claim",
        sorted(current_catalog().procedures)[0],
    ):
        if proc_id in current_catalog().procedures:
            url = f"/catalog/procedure/{proc_id}/"
            page(c, url, catalog_texts, "Conditions (rules)", "Legal basis", "What to bring")
    event = sorted(current_catalog().events)[0]
    page(c, f"/catalog/event/{event}/", catalog_texts, "Notification: ", "Conditions")


def test_counter_queue_and_visit_in_english(clerk_client, family, catalog_texts):
    from madoguchi.counter.models import Visit

    c = english(clerk_client)
    data = family[2] + catalog_texts
    for purpose in ("move_in", "certificate"):
        assert c.post("/counter/tickets/issue/", {"purpose": purpose}).status_code == 302
    html = page(c, "/counter/", data, "Call next", "Waiting (1)")  # certificate: other group
    assert "issued" in html  # the message of the last ticket
    r = c.post("/counter/call-next/")
    assert r.status_code == 302
    page(c, "/counter/", data, "In service / on hold", "Call again", "Transfer")
    url = r["Location"] if "/visits/" in r["Location"] else None
    if url is None:  # the called number has no visit yet: start one without a number
        url = c.post("/counter/visits/new/")["Location"]
    page(c, url, data, "Identify", "Required procedures", "Enter from a paper")
    visit = Visit.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
    r = c.post(
        f"/counter/visits/{visit.pk}/do/identify/",
        {"version": visit.version, "atena_no": family[1].atena_no},
    )
    assert r.status_code in (200, 302)
    page(c, url, data, "Household and persons involved", "Health insurance")
    r = c.post(f"/counter/visits/{visit.pk}/search/", {"q": "マドグチ", "mode": "add_person"})
    assert untranslated(r.content.decode(), [*data, "マドグチ"]) == []


def test_admin_and_manager_pages_in_english(client, admin_user, staff_factory):
    c = english(client)
    c.force_login(admin_user)
    page(c, "/audit/", [], "Audit log", "Filter")
    c.force_login(staff_factory("manager1", "manager", "citizen"))
    page(c, "/analytics/", [], "Counter analytics", "By life event", "Characters not written")
    page(c, "/analytics/staffing/?arrivals=30&service=10", [], "Counters needed", "Erlang C")


def test_documents_preview_in_english(clerk_client):
    c = english(clerk_client)
    page(c, "/documents/", [], "Create documents (preview)", "Create PDF")
    r = c.post("/documents/", {"situation": "event: move_in\nevent_date: 2026-13-01\n"})
    assert r.status_code == 422
    assert untranslated(r.content.decode(), ["event: move_in\nevent_date: 2026-13-01"]) == []
    assert "event_date: not a real date" in r.content.decode()


def test_department_tasks_in_english(client, clerk, staff_factory, catalog_texts):
    from madoguchi.counter.models import Visit
    from madoguchi.tasks.models import Task

    visit = Visit.objects.create(clerk=clerk, event_date=date(2026, 11, 1))
    task = Task.objects.create(
        visit=visit, procedure_id="registry.move_in", name="転入届", department="citizen"
    )
    c = english(client)
    c.force_login(staff_factory("dept1", "department", "citizen"))
    html = page(c, "/tasks/?department=citizen", catalog_texts, "Department tasks", "Received")
    assert "Moving-in notification" in html and "転入届" not in html  # the catalog's en: name
    page(c, f"/tasks/{task.pk}/", catalog_texts, "Moving-in notification", "Mark in progress")
