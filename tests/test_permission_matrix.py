"""The permission matrix, generated: every URL pattern of the site and every operation of
the JSON API, requested as every role (clerk, clerk with the 支援措置 permission,
department, manager, admin) on the role's own object, another person's object and a
protected object, with the status the rules expect.

The patterns and operations are walked from the URL resolver and the ninja API, so a new
view or operation that is not named in ``HTML_RULES`` / ``API_RULES`` fails
``test_every_door_has_a_rule``: adding a door means deciding who may pass it. The same
rules are written out as a table in docs/permissions.md.

Each request runs in a transaction that is rolled back, so a door that changes state
(a hold, a take-over) does not change the next request's world.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from permissions_world import NORMAL, PROTECTED, ROLES, build

OK = "ok"  # passed the gate: any answer but 401/403/404/405/5xx

COUNTER = {"clerk", "clerk_perm", "manager", "admin"}
PERMITTED = {"clerk_perm", "admin"}
SUPERVISORS = {"manager", "admin"}


def _deny(api: bool) -> int:
    """What a role outside a door's audience gets: the API's auth answers 401 (the
    operation does not exist for them), a page answers 403."""
    return 401 if api else 403


# ------------------------------------------------------------------ the rules by area


def anyone(api):
    return lambda role, kind: OK


NOT_READY = "ok or 503"  # the readiness probe answers 503 while no catalog is published


UNKNOWN_ID = "ok or 404"  # an object the matrix world does not build (certificates): the
# door must still refuse the roles outside it; for the others an unknown id is a 404


def counter_staff_unknown_id(api):
    return lambda role, kind: UNKNOWN_ID if role in COUNTER else _deny(api)


def readiness(api):
    return lambda role, kind: NOT_READY


def counter_staff(api):
    return lambda role, kind: OK if role in COUNTER else _deny(api)


def supervisors(api):
    return lambda role, kind: OK if role in SUPERVISORS else 403


def admins(api):
    return lambda role, kind: OK if role == "admin" else 403


def visit(api):
    """The clerk who holds the visit, supervisors; protected persons only with the permission."""

    def rule(role, kind):
        if role not in COUNTER:
            return _deny(api)
        if kind == "own":
            return OK
        if kind == "other":
            return OK if role in SUPERVISORS else 403
        return OK if role in PERMITTED else 403  # protected (held by clerk_perm)

    return rule


def task(api):
    """The department routed, the clerk who holds the visit, supervisors; protected
    persons only with the permission."""

    def rule(role, kind):
        if kind == "own":
            return OK
        if kind == "other":
            return OK if role in SUPERVISORS else 403
        return OK if role in PERMITTED else 403  # protected: clerk_perm holds, admin

    return rule


def register_read(api):
    """Counter staff (departments only where granted: not granted here); a protected
    person only with the permission (a household shows them masked)."""

    def rule(role, kind):
        if role not in COUNTER:
            return _deny(api)
        if kind == "protected":
            return OK if role in PERMITTED else 403
        return OK

    return rule


def register_list(api):
    """Search and household: counter staff; protected persons appear masked."""
    return lambda role, kind: OK if role in COUNTER else _deny(api)


def protection_hold(api):
    def rule(role, kind):
        if role not in COUNTER:
            return _deny(api)
        return OK if role in PERMITTED else 403

    return rule


# URL name → (area rule, the object its URL names: visit, task, person, household, or None)
HTML_RULES = {
    "home": (anyone, None),
    "accounts:login": (anyone, None),
    "accounts:logout": (anyone, None),
    "accounts:password_change": (anyone, None),
    "healthz": (anyone, None),
    "readyz": (readiness, None),
    "set_language": (anyone, None),
    "register:search": (register_list, None),
    "register:person": (register_read, "person"),
    "register:person_ref": (register_read, "person"),
    "register:household_ref": (register_list, "household"),
    "register:person_lookup": (register_read, "person"),
    "register:person_card_no": (register_read, "person"),
    "register:household": (register_list, "household"),
    "register:protection_hold": (protection_hold, "person"),
    "catalog:index": (anyone, None),
    "catalog:event": (anyone, None),
    "catalog:department": (anyone, None),
    "catalog:procedure": (anyone, None),
    "documents:preview": (anyone, None),
    "documents:print": (anyone, None),
    "counter:queue": (counter_staff, None),
    "counter:queue_panel": (counter_staff, None),
    "counter:issue": (counter_staff, None),
    "counter:call_next": (counter_staff, None),
    "counter:ticket_action": (counter_staff, None),
    "counter:ticket_slip": (counter_staff, None),
    "counter:display": (anyone, None),
    "counter:display_board": (anyone, None),
    "counter:new_visit": (counter_staff, None),
    "counter:ido": (counter_staff, None),
    "counter:ido_retry": (counter_staff, None),
    "counter:ido_link": (counter_staff, None),
    "counter:visit": (visit, "visit"),
    "counter:visit_tasks": (visit, "visit"),
    "counter:visit_step": (visit, "visit"),
    "counter:search": (visit, "visit"),
    "counter:postal": (visit, "visit"),
    "counter:countries": (visit, "visit"),
    "counter:addresses": (visit, "visit"),
    "counter:schools": (visit, "visit"),
    "counter:bundle": (visit, "visit"),
    "counter:guide": (visit, "visit"),  # the guide sheet alone, reprinted
    "counter:take_over": (None, "visit"),  # special: see take_over_rule
    # 「再送」 of a signed visit's 異動 record: a visit door like every other
    "counter:visit_ido_retry": (visit, "visit"),
    "counter:visit_action": (visit, "visit"),
    "certificates:index": (counter_staff, None),
    "certificates:new": (register_read, "person"),
    "certificates:request": (counter_staff_unknown_id, None),
    "certificates:request_pdf": (counter_staff_unknown_id, None),
    "certificates:pdf": (counter_staff_unknown_id, None),
    "certificates:action": (counter_staff_unknown_id, None),
    "certificates:verify": (counter_staff, None),
    "certificates:till": (counter_staff, None),
    "certificates:till_pdf": (counter_staff, None),
    "certificates:till_csv": (counter_staff, None),
    "certificates:seals": (counter_staff, None),
    "certificates:stats": (supervisors, None),
    "certificates:deferred": (counter_staff, None),
    "certificates:deferred_action": (counter_staff_unknown_id, None),
    "certificates:deferred_slip": (counter_staff_unknown_id, None),
    "tasks:queue": (anyone, None),
    "tasks:table": (anyone, None),
    "tasks:retry": (anyone, None),
    "tasks:task": (task, "task"),
    "tasks:status": (task, "task"),
    "tasks:forms": (task, "task"),
    "analytics:dashboard": (supervisors, None),
    "analytics:export": (supervisors, None),
    "analytics:report": (supervisors, None),
    "analytics:staffing": (supervisors, None),
    "audit:list": (admins, None),
    "audit:flagged": (supervisors, None),
}


def take_over_rule(api):
    """Supervisors only; a protected visit only between staff with the permission."""

    def rule(role, kind):
        if role not in COUNTER:
            return _deny(api)
        if role not in SUPERVISORS:
            return 403
        return 403 if (kind == "protected" and role not in PERMITTED) else OK

    return rule


API_RULES = {
    ("POST", "/register/search"): (register_list, None),
    ("GET", "/register/persons/{atena_no}"): (register_read, "person"),
    ("POST", "/register/persons/lookup"): (register_read, "person"),
    ("GET", "/register/households/{household_no}"): (register_list, "household"),
    ("POST", "/register/households/lookup"): (register_list, "household"),
    ("POST", "/register/protection-holds"): (protection_hold, "person"),
    ("GET", "/catalog/"): (anyone, None),
    ("GET", "/catalog/procedures"): (anyone, None),
    ("GET", "/catalog/procedures/{proc_id}"): (anyone, None),
    ("GET", "/catalog/questions"): (anyone, None),
    ("POST", "/rules/determine"): (anyone, None),
    ("POST", "/rules/determine_visit"): (anyone, None),
    ("POST", "/rules/needed_facts"): (anyone, None),
    ("POST", "/documents/bundle"): (anyone, None),
    ("POST", "/counter/tickets"): (counter_staff, None),
    ("GET", "/counter/queue"): (counter_staff, None),
    ("POST", "/counter/call-next"): (counter_staff, None),
    ("POST", "/counter/tickets/{ticket_id}/recall"): (counter_staff, None),
    ("POST", "/counter/tickets/{ticket_id}/hold"): (counter_staff, None),
    ("POST", "/counter/tickets/{ticket_id}/transfer"): (counter_staff, None),
    ("POST", "/counter/tickets/{ticket_id}/complete"): (counter_staff, None),
    ("GET", "/counter/display"): (counter_staff, None),
    ("GET", "/counter/postal/{code}"): (counter_staff, None),
    ("GET", "/counter/ido/reconcile"): (counter_staff, None),
    ("POST", "/counter/ido/link"): (counter_staff, None),
    ("POST", "/counter/ido/retry"): (counter_staff, None),
    ("POST", "/counter/visits"): (counter_staff, None),
    ("GET", "/counter/visits/{visit_id}"): (visit, "visit"),
    ("POST", "/counter/visits/{visit_id}/takeover"): (take_over_rule, "visit"),
    ("GET", "/counter/visits/{visit_id}/bundle.pdf"): (visit, "visit"),
    ("GET", "/counter/visits/{visit_id}/guide.pdf"): (visit, "visit"),
    # 「再送」 of a signed visit's 異動 record (docs/ido.md): a visit door
    ("POST", "/counter/visits/{visit_id}/ido/retry"): (visit, "visit"),
    # 同席で対応: only a clerk of the visit (supervisors), 支援措置 as on every visit door
    ("POST", "/counter/visits/{visit_id}/at-counter"): (visit, "visit"),
    ("GET", "/certificates/kinds"): (counter_staff, None),
    ("POST", "/certificates/quote"): (counter_staff, None),
    ("POST", "/certificates/requests"): (counter_staff, None),
    ("GET", "/certificates/requests/{request_id}"): (counter_staff_unknown_id, None),
    ("GET", "/certificates/certificates/{cert_id}/pdf"): (counter_staff_unknown_id, None),
    ("POST", "/certificates/certificates/{cert_id}/void"): (counter_staff_unknown_id, None),
    ("POST", "/certificates/certificates/{cert_id}/reissue"): (counter_staff_unknown_id, None),
    ("POST", "/certificates/certificates/{cert_id}/reprint"): (counter_staff_unknown_id, None),
    ("GET", "/certificates/verify/{code}"): (counter_staff_unknown_id, None),
    ("GET", "/certificates/till"): (counter_staff, None),
    ("POST", "/certificates/certificates/{cert_id}/refund"): (counter_staff_unknown_id, None),
    ("POST", "/certificates/deferred"): (counter_staff, None),
    ("GET", "/certificates/deferred"): (counter_staff, None),
    ("POST", "/certificates/deferred/{deferred_id}/issue"): (counter_staff_unknown_id, None),
    ("POST", "/certificates/deferred/{deferred_id}/cancel"): (counter_staff_unknown_id, None),
    ("GET", "/tasks/"): (anyone, None),
    ("GET", "/tasks/{task_id}"): (task, "task"),
    ("POST", "/tasks/{task_id}/status"): (task, "task"),
    ("POST", "/tasks/handoffs/retry"): (anyone, None),
    ("GET", "/audit/records"): (admins, None),
}
# every visit step (inputs.STEPS) is a visit door
STEP_PATH = re.compile(r"^/counter/visits/\{visit_id\}/[a-z-]+$")

# Django's admin site keeps its own permission checks (ModelAdmin.has_*_permission: the
# city's administrators only); it is outside this matrix, by name.
OUTSIDE = ("admin:", "admin/")


# ------------------------------------------------------------------ walking the doors


def html_patterns():
    """(qualified name, route) of every named URL pattern, namespaces included."""
    out = []

    def walk(resolver, prefix, ns):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue  # the API is walked through ninja
                sub_ns = f"{ns}{p.namespace}:" if p.namespace else ns
                walk(p, prefix + str(p.pattern), sub_ns)
            elif isinstance(p, URLPattern):
                name = f"{ns}{p.name}" if p.name else f"{prefix}{p.pattern} (unnamed)"
                out.append((name, prefix + str(p.pattern)))

    walk(get_resolver(), "", "")
    return out


def api_operations():
    from madoguchi.api import api

    ops = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                for method in op.methods:
                    ops.append((method, prefix + path, op))
    return ops


def api_rule(method, path):
    if (method, path) in API_RULES:
        return API_RULES[(method, path)]
    if method == "POST" and STEP_PATH.match(path):
        return (visit, "visit")
    return None


def test_every_door_has_a_rule():
    missing = [n for n, _r in html_patterns() if n not in HTML_RULES and not n.startswith(OUTSIDE)]
    missing += [f"{m} /api{p}" for m, p, _op in api_operations() if api_rule(m, p) is None]
    assert not missing, "doors without a permission rule (add them to the matrix): " + ", ".join(
        missing
    )


# ------------------------------------------------------------------ requests


def _object_kwargs(world, role, kind, obj):
    if obj == "visit":
        return {"visit_id": world.visit(role, kind)}
    if obj == "task":
        return {"task_id": world.task(role, kind)}
    if obj == "person":
        return {"atena_no": PROTECTED if kind == "protected" else NORMAL[0]}
    if obj == "household":
        return {"household_no": "310002" if kind == "protected" else "310001"}
    return {}


HTML_FIXED = {
    "ticket_id": lambda w, role: w.tickets[role],
    "action": lambda w, role: "confirm",  # counter:ticket_action: "recall" (below)
    "event_id": lambda w, role: "move_in",
    "dept_id": lambda w, role: "insurance",
    "proc_id": lambda w, role: "nhi.enroll",
    "request_id": lambda w, role: 999999,
    "cert_id": lambda w, role: 999999,
    "deferred_id": lambda w, role: 999999,
    "doc": lambda w, role: "request",
    "table_id": lambda w, role: "daily",  # analytics:export
    "pid": lambda w, role: "p1",  # counter:schools
}


def _form(kw):
    return {
        "version": "999999",
        "q": "キタミ",
        "reason": "テスト",
        "purpose": "move_in",
        "status": "in_progress",
        "situation": "",
        **{k: str(v) for k, v in kw.items()},
    }


def _classify(status: int):
    if status in (401, 403, 404, 405) or status >= 500:
        return status
    return OK


def _request(client, method, url, **kw):
    with transaction.atomic():
        resp = getattr(client, method.lower())(url, **kw)
        transaction.set_rollback(True)
    return resp


def _html_cases(world, role, mint):
    """``mint(kind, value)``: the screens' opaque reference (register/refs.py) in the
    client's session, for the routes that take one."""
    for name, route in html_patterns():
        if name.startswith(OUTSIDE) or name in ("accounts:logout", "set_language"):
            continue
        area, obj = HTML_RULES[name]
        rule = take_over_rule(False) if name == "counter:take_over" else area(False)
        for kind in ("own", "other", "protected") if obj else ("none",):
            kw = _object_kwargs(world, role, kind, obj)
            url_kw = {k: v for k, v in kw.items() if "<" in route and k in route}
            for key, make in HTML_FIXED.items():
                if f":{key}>" in route:
                    url_kw[key] = make(world, role)
            if name == "counter:ticket_action":
                url_kw["action"] = "recall"
            if ":ref>" in route:
                url_kw["ref"] = (
                    mint("household", kw["household_no"])
                    if obj == "household"
                    else mint("person", kw["atena_no"])
                )
            yield name, kind, reverse(name, kwargs=url_kw), kw, rule(role, kind)


def _example(schema: dict, components: dict):
    """A minimal valid value of an OpenAPI schema (required properties only)."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[1]], components)
    if "anyOf" in schema:
        return _example(schema["anyOf"][0], components)
    if "allOf" in schema:
        return _example(schema["allOf"][0], components)
    t = schema.get("type")
    if t == "object":
        props = schema.get("properties", {})
        return {k: _example(props[k], components) for k in schema.get("required", []) if k in props}
    if t == "array":
        return []
    if t == "integer":
        return 1
    if t == "boolean":
        return False
    if t == "number":
        return 1
    if schema.get("format") == "date":
        return "2027-04-01"
    return "x"


def _api_cases(world, role):
    from madoguchi.api import api

    spec = api.get_openapi_schema()
    components = spec.get("components", {}).get("schemas", {})
    for method, path, _op in api_operations():
        area, obj = api_rule(method, path)
        rule = area(True)
        operation = spec["paths"]["/api" + path][method.lower()]
        body_schema = (
            operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        ).get("schema")
        for kind in ("own", "other", "protected") if obj else ("none",):
            kw = _object_kwargs(world, role, kind, obj)
            url = "/api" + path.replace("/postal/{code}", "/postal/0900024")
            for key, value in {
                **kw,
                "ticket_id": world.tickets[role],
                "proc_id": "nhi.enroll",
                "request_id": 999999,
                "cert_id": 999999,
                "code": "x",
            }.items():
                url = url.replace("{" + key + "}", str(value))
            body = _example(body_schema, components) if body_schema else None
            if isinstance(body, dict):
                body.update(
                    {k: v for k, v in kw.items() if k in body or obj in ("person", "household")}
                )
                if "version" in body:
                    body["version"] = 999999
                if "atena_no" in body and "atena_no" not in kw:
                    body["atena_no"] = NORMAL[0]
                body.pop("visit_id", None)
                body.pop("task_id", None)
            yield f"{method} {path}", kind, method, url, body, rule(role, kind)


@pytest.mark.parametrize("role", list(ROLES))
def test_matrix(role, client, db):
    from madoguchi.register.refs import ref_for

    world = build()
    client.force_login(world.staff[role])

    def mint(kind, value):
        session = client.session
        ref = ref_for(session, kind, value)
        session.save()
        return ref

    wrong = []
    for name, kind, url, kw, expected in _html_cases(world, role, mint):
        resp = _request(client, "GET", url)
        if resp.status_code == 405:
            resp = _request(client, "POST", url, data=_form(kw))
        got = _classify(resp.status_code)
        if expected == NOT_READY and resp.status_code in (200, 503):
            continue
        if expected == UNKNOWN_ID and got in (OK, 404):
            continue
        if got != expected:
            wrong.append(f"{role:10} {kind:9} {name:28} {url}: expected {expected}, got {got}")
    for name, kind, method, url, body, expected in _api_cases(world, role):
        if method == "GET":
            resp = _request(client, "GET", url)
        else:
            resp = _request(
                client,
                method,
                url,
                data=json.dumps(body if body is not None else {}),
                content_type="application/json",
            )
        got = _classify(resp.status_code)
        if expected == UNKNOWN_ID and got in (OK, 404):
            continue
        if got != expected:
            wrong.append(f"{role:10} {kind:9} {name:45} {url}: expected {expected}, got {got}")
    assert not wrong, "\n" + "\n".join(wrong)
