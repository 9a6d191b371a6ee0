"""Query-count baseline of the counter's visit page: a household of four costs the same
number of queries as a person alone (no query per person, procedure or question)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from madoguchi.counter.tests.test_visit import Flow


def _page_queries(client, visit_id: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/counter/visits/{visit_id}/").status_code == 200
    return len(ctx)


def test_visit_page_queries_do_not_grow_with_the_household(clerk_client, household):
    alone = Flow(clerk_client)
    alone.step("identify", atena_no="200009")
    family = Flow(clerk_client)
    family.step("identify", atena_no="200001")
    assert len(family.v["persons"]) == 4 and len(alone.v["persons"]) == 1
    _page_queries(clerk_client, alone.id)  # warm: the first page view of each kind
    assert _page_queries(clerk_client, family.id) == _page_queries(clerk_client, alone.id)
