"""No personal data in the log of a 500 error (django.request)."""

import io
import logging

import pytest
from django.http import HttpResponse
from django.urls import path

from madoguchi.core.logfilters import WITHHELD

PERSON = "高橋　一郎 1993-01-01"


def boom(request):
    raise ValueError(PERSON + request.GET.get("q", ""))


def fine(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/", boom), path("fine/", fine)]


@pytest.fixture
def request_log(settings):
    settings.ROOT_URLCONF = __name__
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield out
    logger.removeHandler(handler)


def test_500_logs_the_frames_but_no_message_or_query(clerk_client, request_log):
    clerk_client.raise_request_exception = False
    r = clerk_client.get("/boom/?q=たかはし+H5.1.1")
    assert r.status_code == 500
    text = request_log.getvalue()
    assert "Internal Server Error: /boom/" in text and "ValueError" in text
    assert "in boom" in text and WITHHELD in text  # the frames stay, for the developer
    for personal in ("高橋", "1993", "たかはし", "H5.1.1", "%E3"):
        assert personal not in text


def test_a_plain_request_logs_nothing(clerk_client, request_log):
    assert clerk_client.get("/fine/?q=高橋").status_code == 200
    assert request_log.getvalue() == ""
