"""Bad input answers 400/404/409/422 with a message, never a 500 (issue 9): one
regression test per case seen returning 500."""

import json
import time

import pytest
from django.test import Client

from madoguchi.counter.models import Ticket

JSON = "application/json"


def post_json(client, url, raw: str):
    return client.post(url, raw, content_type=JSON)


@pytest.fixture
def api(clerk):
    c = Client(raise_request_exception=True)
    c.force_login(clerk)
    return c


def test_task_status_of_a_task_that_does_not_exist_is_404(api):
    r = api.post("/api/tasks/987654/status", {"status": "done"}, content_type=JSON)
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "task_id"
    r = api.get("/api/tasks/987654")
    assert r.status_code == 404 and r.json()["detail"]


@pytest.mark.parametrize("limit", ["-1", "0", "12345678901234567890"])
def test_out_of_range_limits_are_422(api, limit):
    r = api.get("/api/tasks/", {"limit": limit})
    assert r.status_code == 422 and "limit" in json.dumps(r.json())


def test_register_search_limit_is_clamped_not_a_crash(api):
    for limit in (-1, 12345678901234567890):
        r = api.post("/api/register/search", {"q": "高橋", "limit": limit}, content_type=JSON)
        assert r.status_code in (200, 422), r.content


def test_the_same_ticket_opened_twice_is_409(api):
    r = api.post("/api/counter/tickets", {"purpose": "move_in"}, content_type=JSON)
    assert r.status_code == 201, r.content
    ticket = Ticket.objects.get(pk=r.json()["id"])
    first = api.post("/api/counter/visits", {"ticket_id": ticket.pk}, content_type=JSON)
    assert first.status_code == 201, first.content
    again = api.post("/api/counter/visits", {"ticket_id": ticket.pk}, content_type=JSON)
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "ticket_id"
    missing = api.post("/api/counter/visits", {"ticket_id": 987654}, content_type=JSON)
    assert missing.status_code == 404


def test_a_counter_number_longer_than_kept_names_the_field(api):
    """Found by schemathesis on PostgreSQL: a 9-character counter number was a 500 there
    (SQLite stores any length)."""
    r = api.post("/api/counter/tickets", {"purpose": "move_in"}, content_type=JSON)
    assert r.status_code == 201, r.content
    r = api.post(
        "/api/counter/call-next", {"group": "onestop", "counter_no": "123456789"}, content_type=JSON
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "counter_no", r.content
    assert not Ticket.objects.exclude(counter_no="").exists()  # nothing was called
    r = api.post(
        "/api/counter/call-next", {"group": "onestop", "counter_no": "12345678"}, content_type=JSON
    )
    assert r.status_code == 200, r.content


@pytest.mark.parametrize(
    "url, raw",
    [
        ("/api/register/search", '{"q": "\\ud800"}'),
        ("/api/register/search", '{"q": "a\\udc00b"}'),
        ("/api/counter/visits", '{"event_date": "2027-04-01", "x": "\\ud800"}'),
    ],
)
def test_lone_surrogates_are_400(api, url, raw):
    r = post_json(api, url, raw)
    assert r.status_code == 400 and "サロゲート" in r.json()["detail"]


def test_a_proper_surrogate_pair_is_fine(api):
    r = post_json(api, "/api/register/search", '{"q": "\\ud842\\udfb7"}')  # 𠮷
    assert r.status_code == 200


def test_non_string_flag_in_a_situation_is_422(api):
    situation = {
        "event": "move_in",
        "event_date": "2027-04-01",
        "persons": [
            {
                "id": "p1",
                "relationship": "head",
                "birth_date": "1985-06-01",
                "sex": "male",
                "flags": [["x"]],
            }
        ],
    }
    r = api.post("/api/rules/determine", situation, content_type=JSON)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "persons[0].flags[0]"


BOMB = """a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_yaml_alias_bombs_are_refused_quickly(tmp_path):
    import yaml

    from madoguchi.catalog.yamlio import load_text
    from madoguchi.core import yamlsafe
    from madoguchi.register.importer.mapping import Mapping, MappingError

    started = time.perf_counter()
    with pytest.raises(yaml.YAMLError, match="refused"):
        load_text(BOMB)
    with pytest.raises(yaml.YAMLError, match="refused"):
        yamlsafe.load(BOMB)
    (tmp_path / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    with pytest.raises(MappingError, match="refused"):
        Mapping.load(tmp_path / "bomb.yaml")
    assert time.perf_counter() - started < 2
    # Ordinary anchors still work.
    assert yamlsafe.load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_alias_bomb_in_the_situation_preview_is_a_422_page(clerk_client):
    r = clerk_client.post("/documents/", {"situation": BOMB})
    assert r.status_code == 422 and "refused" in r.content.decode()


@pytest.mark.parametrize("length", [17, 40])
def test_long_furigana_renders_on_every_form(db, length):
    """A フリガナ longer than a form's boxes (17+ characters: many foreign residents)
    renders: the boxes point to the overflow list, which prints it whole."""
    import pypdfium2

    from madoguchi.documents.samples import load_example, with_register
    from madoguchi.documents.services import bundle_for_situation

    kana = ("アレクサンドロヴィチ" * 4)[:length]
    s = with_register(load_example("move_in_family_of_four"))
    for p in s["persons"]:
        p["register"]["kana"] = kana
    pdf = pypdfium2.PdfDocument(bundle_for_situation(s, ("ja",), None).pdf)
    text = "".join(page.get_textpage().get_text_range() for page in pdf)
    assert "超過リスト" in text and kana in text.replace("\r", "").replace("\n", "")
