"""Reading, validating and exporting a municipality's catalog folder.

Layout (see docs/catalog.md)::

    catalog.yaml            municipality id, name, code
    departments.yaml        課: id, name, place (窓口の場所), en
    events.yaml             life events
    parameters.yaml         local parameters, versioned
    rules.yaml              conditions (JSON Logic + Japanese labels), versioned; exclusions
    questions.yaml          interview questions (which fact each sets)
    procedures/*.yaml       procedures, versioned, with their triggers
    forms/<id>/form.yaml    forms (owned by madoguchi.documents; read as opaque metadata)

Every problem is collected with file and line; a catalog with any problem raises
:class:`CatalogError` and nothing of it is used.
"""

from __future__ import annotations

import bisect
import functools
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import datalogic_py

from madoguchi.rules import facts as F

from .yamlio import LineDict, LineList, dump, load_text, plain

ENGINE = datalogic_py.Engine()
FAR_FUTURE = date(9999, 12, 31)
DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
FILES = ("catalog.yaml", "departments.yaml", "events.yaml", "parameters.yaml", "rules.yaml")
DEADLINE_COUNTING = ("after_event", "including_event_day")
QUESTION_PERSONS = ("moving", "all", "couple", "deceased", "mother", "newborn", "event")
ITERATORS = ("some", "none", "all", "filter", "map")


@dataclass
class Issue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CatalogError(Exception):
    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class Versioned:
    id: str
    valid_from: date
    valid_to: date | None
    file: str
    line: int

    def in_force(self, d: date) -> bool:
        return self.valid_from <= d and (self.valid_to is None or d <= self.valid_to)


@dataclass
class Department:
    id: str
    name: str
    place: str
    handles: str
    en: dict
    raw: dict


@dataclass
class Event:
    id: str
    name: str
    en: dict
    raw: dict


@dataclass
class Condition(Versioned):
    label: str = ""
    label_no: str = ""
    logic: Any = None
    rule: Any = None  # compiled datalogic rule
    scope: str = "person"  # person | event (reads no person.* fact)
    reads: frozenset = frozenset()  # facts read: person facts by name, event facts as event.X
    raw: dict = field(default_factory=dict)


@dataclass
class Parameter(Versioned):
    value: Any = None
    label: str = ""
    raw: dict = field(default_factory=dict)


@dataclass
class Trigger:
    events: tuple[str, ...]  # () means every event
    when: tuple[tuple[str, bool], ...]  # (condition id, negated)
    name: str | None = None
    en_name: str | None = None

    def for_event(self, event: str) -> bool:
        return not self.events or event in self.events


@dataclass
class Procedure(Versioned):
    name: str = ""
    department: str = ""
    scope: str = "person"
    forms: list[str] = field(default_factory=list)
    no_form: str | None = None
    bring: list[str] = field(default_factory=list)
    deadline: dict = field(default_factory=dict)  # days, counting, text
    legal_basis: str = ""
    triggers: list[Trigger] = field(default_factory=list)
    en: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    def deadline_date(self, event_date: date) -> date | None:
        days = self.deadline.get("days")
        if days is None:
            return None
        if self.deadline.get("counting") == "including_event_day":
            return event_date + timedelta(days=days - 1)
        return event_date + timedelta(days=days)


@dataclass
class Question:
    id: str
    events: tuple[str, ...]
    asks: str  # a person fact/flag, or event.<detail>
    persons: str
    text: str
    en: dict
    raw: dict


@dataclass
class Catalog:
    path: Path
    municipality: str
    name: str
    code: str
    meta: dict
    departments: dict[str, Department]
    events: dict[str, Event]
    parameters: dict[str, list[Parameter]]
    conditions: dict[str, list[Condition]]
    exclusions: list[dict]
    procedures: dict[str, list[Procedure]]  # catalog order
    questions: list[Question]
    forms: dict[str, dict]
    files: dict[str, Any] = field(default_factory=dict)  # raw YAML per relative file

    # --- lookups --------------------------------------------------------------------
    def procedure(self, proc_id: str, on: date | None = None) -> Procedure:
        versions = self.procedures[proc_id]
        d = on or date.today()
        for v in versions:
            if v.in_force(d):
                return v
        return versions[-1]

    def department(self, dept_id: str) -> Department:
        return self.departments[dept_id]

    def at(self, d: date) -> CatalogView:
        """The catalog in force on ``d`` (one view per period between version changes)."""
        bounds = self.__dict__.get("_bounds")
        if bounds is None:
            points = set()
            for group in (self.procedures, self.conditions, self.parameters):
                for versions in group.values():
                    for v in versions:
                        points.add(v.valid_from)
                        if v.valid_to is not None and v.valid_to < FAR_FUTURE:
                            points.add(v.valid_to + timedelta(days=1))
            bounds = self.__dict__["_bounds"] = sorted(points)
        period = bisect.bisect_right(bounds, d)
        views = self.__dict__.setdefault("_views", {})
        view = views.get(period)
        if view is None:
            view = views[period] = CatalogView(self, d)
        return view


def _pick(versions: list, d: date):
    for v in versions:
        if v.in_force(d):
            return v
    return None


class CatalogView:
    """The catalog in force on one date: what ``determine`` evaluates."""

    def __init__(self, catalog: Catalog, d: date):
        self.catalog = catalog
        self.procedures = [
            p for vs in catalog.procedures.values() if (p := _pick(vs, d)) is not None
        ]
        self.conditions = {
            cid: c for cid, vs in catalog.conditions.items() if (c := _pick(vs, d)) is not None
        }
        self.parameters = {
            pid: p.value for pid, vs in catalog.parameters.items() if (p := _pick(vs, d))
        }
        froms = [x.valid_from for x in (*self.procedures, *self.conditions.values())] + [
            p.valid_from for vs in catalog.parameters.values() if (p := _pick(vs, d))
        ]
        self.version = max(froms).isoformat() if froms else d.isoformat()
        self.plans: dict[str, list[tuple[Procedure, list[Trigger]]]] = {}
        for event in F.EVENTS:
            plan = []
            for p in self.procedures:
                trig = [t for t in p.triggers if t.for_event(event)]
                if trig:
                    plan.append((p, trig))
            self.plans[event] = plan


# ---------------------------------------------------------------------------------------
# loading


class _Collector:
    def __init__(self, root: Path):
        self.root = root
        self.issues: list[Issue] = []

    def add(self, file: str, line: int, message: str) -> None:
        self.issues.append(Issue(file, line, message))

    def read(self, rel: str, required: bool = True) -> Any:
        path = self.root / rel
        if not path.exists():
            if required:
                self.add(rel, 0, "ファイルがありません")
            return None
        try:
            data = load_text(path.read_text(encoding="utf-8"))
        except Exception as exc:  # yaml.YAMLError and decoding errors
            mark = getattr(exc, "problem_mark", None)
            self.add(rel, mark.line + 1 if mark else 0, f"YAML として読めません: {exc}")
            return None
        self._duplicates(rel, data)
        return data

    def _duplicates(self, rel: str, data: Any) -> None:
        if isinstance(data, LineDict):
            for key, line in data.duplicates:
                self.add(rel, line, f"項目 {key!r} が同じ場所に2回書かれています")
            for v in data.values():
                self._duplicates(rel, v)
        elif isinstance(data, list):
            for v in data:
                self._duplicates(rel, v)

    def keys(self, rel: str, item: Any, allowed: set, required: set, what: str) -> bool:
        if not isinstance(item, dict):
            self.add(rel, getattr(item, "line", 0), f"{what} は「項目: 値」の形で書いてください")
            return False
        if isinstance(item.get("id"), str) and item["id"] not in what:
            what = f"{what} {item['id']}"
        for key in item:
            if key not in allowed:
                self.add(
                    rel,
                    item.line_of(key),
                    f"{what} に不明な項目 {key!r} があります（使える項目: {', '.join(sorted(allowed))}）",
                )
        ok = True
        for key in sorted(required):
            if item.get(key) in (None, ""):
                self.add(rel, item.line, f"{what} に {key} がありません")
                ok = False
        return ok

    def items(self, rel: str, data: Any, key: str) -> list:
        if data is None:
            return []
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            self.add(rel, getattr(data, "line", 1), f"最上位に {key}: の一覧が必要です")
            return []
        extra = set(data) - {key}
        for k in extra:
            self.add(rel, data.line_of(k), f"不明な項目 {k!r} があります")
        return data[key]

    def date(self, rel: str, item: dict, key: str) -> date | None:
        value = item.get(key)
        if value is None:
            return None
        if type(value) is not date:
            self.add(rel, item.line_of(key), f"{key} は YYYY-MM-DD の日付です: {value!r}")
            return None
        return value

    def en(self, rel: str, item: dict, allowed: set) -> dict:
        en = item.get("en") or {}
        if not isinstance(en, dict):
            self.add(rel, item.line_of("en"), "en: は英語訳の「項目: 値」です")
            return {}
        for key in en:
            if key not in allowed:
                self.add(rel, en.line_of(key), f"en: に不明な項目 {key!r} があります")
        return plain(en)


def _versioned(c: _Collector, rel: str, item: dict, what: str) -> tuple[date, date | None]:
    vf = c.date(rel, item, "valid_from") or date.min
    vt = c.date(rel, item, "valid_to")
    if vt is not None and vt < vf:
        c.add(rel, item.line_of("valid_to"), f"{what}: valid_to が valid_from より前です")
    return vf, vt


def _check_versions(c: _Collector, what: str, groups: dict[str, list[Versioned]]) -> None:
    for vid, versions in groups.items():
        versions.sort(key=lambda v: v.valid_from)
        for prev, nxt in zip(versions, versions[1:], strict=False):
            end = prev.valid_to or FAR_FUTURE
            if end >= nxt.valid_from:
                c.add(
                    nxt.file,
                    nxt.line,
                    f"{what} {vid} の版の期間が重なっています（{prev.file}:{prev.line} の版は "
                    f"{prev.valid_to or '期限なし'} まで、この版は {nxt.valid_from} から）",
                )
            elif end + timedelta(days=1) != nxt.valid_from:
                c.add(
                    nxt.file,
                    nxt.line,
                    f"{what} {vid} の版の間に空白期間があります（{end} の翌日から "
                    f"{nxt.valid_from} の前日まで）",
                )


def _walk_vars(logic: Any, scope: str, out: list[tuple[str, str]]) -> None:
    """Collect (scope, var path) pairs; scope 'top', 'person_item' or 'reduce'."""
    if isinstance(logic, list):
        for x in logic:
            _walk_vars(x, scope, out)
        return
    if not isinstance(logic, dict):
        return
    for op, args in logic.items():
        if op == "var":
            path = args[0] if isinstance(args, list) and args else args
            out.append((scope, path if isinstance(path, str) else ""))
            if isinstance(args, list):
                _walk_vars(args[1:], scope, out)
        elif op in ITERATORS and isinstance(args, list) and len(args) == 2:
            _walk_vars(args[0], scope, out)
            _walk_vars(args[1], "person_item", out)
        elif op == "reduce" and isinstance(args, list) and len(args) == 3:
            _walk_vars(args[0], scope, out)
            _walk_vars(args[1], "reduce", out)
            _walk_vars(args[2], scope, out)
        else:
            _walk_vars(args, scope, out)


def analyse_logic(logic: Any) -> tuple[list[str], frozenset, str]:
    """Return (problems, person facts read, scope) of a condition's JSON Logic."""
    problems: list[str] = []
    try:
        diags = ENGINE.check(logic)
    except Exception as exc:  # noqa: BLE001 - the engine's own parse error
        return [f"JSON Logic として読めません: {exc}"], frozenset(), "person"
    for dg in diags:
        if dg["severity"] == "error":
            problems.append(f"JSON Logic の誤り（{dg['pointer'] or '/'}）: {dg['message']}")
    refs: list[tuple[str, str]] = []
    _walk_vars(logic, "top", refs)
    reads: set[str] = set()
    scope = "event"
    for where, path in refs:
        head, _, rest = path.partition(".")
        if where == "person_item":
            name = path
            if name not in F.PERSON_FACTS:
                problems.append(f"人の事実 {name!r} は定義されていません")
            else:
                reads.add(name)
        elif where == "reduce":
            if head not in ("accumulator", "current"):
                problems.append(f"reduce の中では accumulator と current だけが使えます: {path!r}")
        elif head == "person":
            scope = "person"
            if rest not in F.PERSON_FACTS:
                problems.append(f"人の事実・フラグ {rest!r} は定義されていません")
            else:
                reads.add(rest)
        elif head == "event":
            if rest not in F.EVENT_FACTS:
                problems.append(f"届出の事実 {rest!r} は定義されていません")
            else:
                reads.add(path)
        elif path == "persons":
            pass
        else:
            problems.append(f"変数 {path!r} は使えません（person.…, event.…, persons のいずれか）")
    return problems, frozenset(reads), scope


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and validate a catalog folder; raise CatalogError listing every problem."""
    root = Path(path) if path is not None else default_dir()
    c = _Collector(root)
    if not root.is_dir():
        c.add(str(root), 0, "カタログのフォルダがありません")
        raise CatalogError(c.issues)
    files: dict[str, Any] = {}

    # catalog.yaml
    meta = c.read("catalog.yaml")
    files["catalog.yaml"] = meta
    if meta is not None:
        c.keys(
            "catalog.yaml",
            meta,
            {"municipality", "name", "code", "en"},
            {"municipality", "name"},
            "catalog.yaml",
        )
    meta = meta if isinstance(meta, dict) else {}

    # departments
    departments: dict[str, Department] = {}
    rel = "departments.yaml"
    files[rel] = data = c.read(rel)
    for item in c.items(rel, data, "departments"):
        if not c.keys(
            rel, item, {"id", "name", "place", "handles", "en"}, {"id", "name", "place"}, "課"
        ):
            continue
        if item["id"] in departments:
            c.add(rel, item.line, f"課 {item['id']} が2回定義されています")
        departments[item["id"]] = Department(
            item["id"],
            item["name"],
            item["place"],
            item.get("handles", ""),
            c.en(rel, item, {"name", "place"}),
            item,
        )

    # events
    events: dict[str, Event] = {}
    rel = "events.yaml"
    files[rel] = data = c.read(rel)
    for item in c.items(rel, data, "events"):
        if not c.keys(rel, item, {"id", "name", "en"}, {"id", "name"}, "届出"):
            continue
        if item["id"] not in F.EVENTS:
            c.add(
                rel, item.line, f"届出 {item['id']!r} は定義されていません（{', '.join(F.EVENTS)}）"
            )
        events[item["id"]] = Event(item["id"], item["name"], c.en(rel, item, {"name"}), item)

    # parameters
    parameters: dict[str, list[Parameter]] = {}
    rel = "parameters.yaml"
    files[rel] = data = c.read(rel)
    for item in c.items(rel, data, "parameters"):
        if not c.keys(
            rel,
            item,
            {"id", "label", "value", "valid_from", "valid_to"},
            {"id", "value", "valid_from"},
            "パラメータ",
        ):
            continue
        vf, vt = _versioned(c, rel, item, item["id"])
        parameters.setdefault(item["id"], []).append(
            Parameter(
                item["id"], vf, vt, rel, item.line, item["value"], item.get("label", ""), item
            )
        )
    for pid in ("child_medical_age_limit",):
        if pid not in parameters:
            c.add(rel, 1, f"パラメータ {pid} がありません（子ども医療費助成の対象年齢）")
    for pid, versions in parameters.items():
        if pid == "child_medical_age_limit":
            for v in versions:
                if type(v.value) is not int or not 0 < v.value < 30:
                    c.add(rel, v.line, f"{pid} は年齢（整数）です: {v.value!r}")

    # rules: conditions and exclusions
    conditions: dict[str, list[Condition]] = {}
    rel = "rules.yaml"
    files[rel] = data = c.read(rel)
    exclusions: list[dict] = []
    if isinstance(data, dict):
        for k in data:
            if k not in ("conditions", "exclusions"):
                c.add(rel, data.line_of(k), f"不明な項目 {k!r} があります")
        for item in data.get("conditions") or []:
            if not c.keys(
                rel,
                item,
                {"id", "label", "label_no", "logic", "valid_from", "valid_to"},
                {"id", "label", "label_no", "logic", "valid_from"},
                "条件",
            ):
                continue
            vf, vt = _versioned(c, rel, item, item["id"])
            logic = plain(item["logic"])
            if not isinstance(logic, dict):
                c.add(
                    rel,
                    item.line_of("logic"),
                    f"条件 {item['id']}: logic は JSON Logic の式（{{演算子: [...]}}）です: {logic!r}",
                )
                problems, reads, scope, broken = [], frozenset(), "person", True
            else:
                problems, reads, scope = analyse_logic(logic)
                broken = bool(problems)
            for msg in problems:
                c.add(rel, item.line_of("logic"), f"条件 {item['id']}: {msg}")
            rule = None if broken else ENGINE.compile(logic)
            conditions.setdefault(item["id"], []).append(
                Condition(
                    item["id"],
                    vf,
                    vt,
                    rel,
                    item.line,
                    item["label"],
                    item["label_no"],
                    logic,
                    rule,
                    scope,
                    reads,
                    item,
                )
            )
        for item in data.get("exclusions") or []:
            if c.keys(
                rel,
                item,
                {"procedure", "when_person_also_gets", "note"},
                {"procedure", "when_person_also_gets"},
                "二重計上の除外",
            ):
                exclusions.append(item)
    elif data is not None:
        c.add(rel, 1, "rules.yaml は conditions: と exclusions: を持つ「項目: 値」です")

    # forms (owned by madoguchi.documents: opaque metadata)
    forms: dict[str, dict] = {}
    form_procs: dict[str, Any] = {}  # form id -> its procedures list, with line numbers
    forms_dir = root / "forms"
    if forms_dir.is_dir():
        for form_yaml in sorted(forms_dir.glob("*/form.yaml")):
            frel = str(form_yaml.relative_to(root))
            fdata = c.read(frel)
            if isinstance(fdata, dict):
                meta_form = plain(fdata)
                meta_form["path"] = str(form_yaml)
                forms[form_yaml.parent.name] = meta_form
                form_procs[form_yaml.parent.name] = fdata.get("procedures")

    # procedures
    procedures: dict[str, list[Procedure]] = {}
    proc_files = sorted((root / "procedures").glob("*.yaml"))
    order = {d: i for i, d in enumerate(departments)}
    proc_files.sort(key=lambda p: (order.get(p.stem, len(order)), p.stem))
    if not proc_files:
        c.add("procedures/", 0, "手続のファイル（procedures/*.yaml）がありません")
    allowed_proc = {
        "id",
        "name",
        "department",
        "scope",
        "forms",
        "no_form",
        "bring",
        "deadline",
        "legal_basis",
        "valid_from",
        "valid_to",
        "triggers",
        "en",
    }
    for pf in proc_files:
        rel = f"procedures/{pf.name}"
        files[rel] = data = c.read(rel)
        for item in c.items(rel, data, "procedures"):
            if not c.keys(
                rel,
                item,
                allowed_proc,
                {"id", "name", "department", "scope", "valid_from", "triggers"},
                "手続",
            ):
                continue
            pid = item["id"]
            what = f"手続 {pid}"
            if item["department"] not in departments:
                c.add(
                    rel,
                    item.line_of("department"),
                    f"{what}: 課 {item['department']!r} は departments.yaml にありません",
                )
            if item["scope"] not in ("person", "household"):
                c.add(
                    rel,
                    item.line_of("scope"),
                    f"{what}: scope は person（人ごと）か household（世帯）です",
                )
            forms_list = item.get("forms") or []
            no_form = item.get("no_form")
            if forms_list and no_form:
                c.add(rel, item.line_of("no_form"), f"{what}: forms と no_form の両方は書けません")
            if not forms_list and not (isinstance(no_form, str) and no_form.strip()):
                c.add(
                    rel,
                    item.line,
                    f"{what}: forms（様式の一覧）か no_form（様式がない理由）が必要です",
                )
            for j, fid in enumerate(forms_list):
                if fid not in forms:
                    c.add(
                        rel,
                        forms_list.line_of(j) if isinstance(forms_list, LineList) else item.line,
                        f"{what}: 様式 {fid!r} がありません（forms/{fid}/form.yaml）",
                    )
            bring = item.get("bring") or []
            if not isinstance(bring, list) or not all(isinstance(b, str) for b in bring):
                c.add(rel, item.line_of("bring"), f"{what}: bring は持ち物の文字列の一覧です")
                bring = []
            deadline = item.get("deadline") or {}
            if deadline:
                if c.keys(
                    rel,
                    deadline,
                    {"days", "counting", "text", "en"},
                    {"text"},
                    f"{what} の deadline",
                ):
                    days = deadline.get("days")
                    if days is not None and (type(days) is not int or days < 0):
                        c.add(rel, deadline.line_of("days"), f"{what}: days は日数（整数）です")
                    if deadline.get("counting", "after_event") not in DEADLINE_COUNTING:
                        c.add(
                            rel,
                            deadline.line_of("counting"),
                            f"{what}: counting は {' か '.join(DEADLINE_COUNTING)} です",
                        )
                    c.en(rel, deadline, {"text"})
            proc_en = c.en(rel, item, {"name", "bring", "no_form"})
            en_bring = proc_en.get("bring")
            if en_bring is not None and (
                not isinstance(en_bring, list) or len(en_bring) != len(bring)
            ):
                c.add(
                    rel,
                    item.line_of("en"),
                    f"{what}: en: の bring は bring と同じ数（{len(bring)} 件）の訳です",
                )
            if proc_en.get("no_form") and not no_form:
                c.add(rel, item.line_of("en"), f"{what}: en: の no_form は no_form の訳です")
            vf, vt = _versioned(c, rel, item, pid)
            triggers = []
            trig_list = item.get("triggers")
            if not isinstance(trig_list, list) or not trig_list:
                c.add(
                    rel,
                    item.line_of("triggers"),
                    f"{what}: triggers（どの届出で・どんな条件で）が必要です",
                )
                trig_list = []
            for t in trig_list:
                if not c.keys(
                    rel,
                    t,
                    {"events", "when", "name", "en"},
                    {"events", "when"},
                    f"{what} の trigger",
                ):
                    continue
                evs = t["events"]
                if evs == "all":
                    evs = ()
                elif not isinstance(evs, list):
                    c.add(rel, t.line_of("events"), f"{what}: events は届出の一覧か all です")
                    evs = ()
                for e in evs:
                    if e not in F.EVENTS:
                        c.add(rel, t.line_of("events"), f"{what}: 届出 {e!r} は定義されていません")
                when = []
                wl = t["when"] if isinstance(t["when"], list) else []
                if not wl:
                    c.add(rel, t.line_of("when"), f"{what}: when は条件の一覧です")
                for j, cond in enumerate(wl):
                    line = wl.line_of(j) if isinstance(wl, LineList) else t.line
                    neg = isinstance(cond, str) and cond.startswith("not ")
                    cid = cond[4:].strip() if neg else cond
                    if not isinstance(cid, str) or cid not in conditions:
                        c.add(rel, line, f"{what}: 条件 {cond!r} は rules.yaml にありません")
                        continue
                    if item["scope"] == "household" and any(
                        v.scope == "person" for v in conditions[cid]
                    ):
                        c.add(rel, line, f"{what}: 世帯単位の手続に人ごとの条件 {cid} は使えません")
                    when.append((cid, neg))
                en_t = c.en(rel, t, {"name"})
                triggers.append(Trigger(tuple(evs), tuple(when), t.get("name"), en_t.get("name")))
            procedures.setdefault(pid, []).append(
                Procedure(
                    pid,
                    vf,
                    vt,
                    rel,
                    item.line,
                    item["name"],
                    item["department"],
                    item["scope"],
                    list(forms_list),
                    no_form,
                    list(bring),
                    plain(deadline),
                    item.get("legal_basis", ""),
                    triggers,
                    proc_en,
                    item,
                )
            )

    for fid, fmeta in forms.items():
        listed = form_procs.get(fid)
        for j, pid in enumerate(fmeta.get("procedures") or []):
            if pid not in procedures:
                c.add(
                    f"forms/{fid}/form.yaml",
                    listed.line_of(j) if isinstance(listed, LineList) else 1,
                    f"様式 {fid} の procedures[{j}]: 手続 {pid!r} はカタログにありません",
                )

    for j, item in enumerate(exclusions):
        for key in ("procedure", "when_person_also_gets"):
            if item[key] not in procedures:
                c.add(
                    "rules.yaml",
                    item.line_of(key),
                    f"二重計上の除外 {j + 1}: 手続 {item[key]!r} はカタログにありません",
                )

    # questions
    questions: list[Question] = []
    rel = "questions.yaml"
    files[rel] = data = c.read(rel)
    for item in c.items(rel, data, "questions"):
        if not c.keys(
            rel,
            item,
            {"id", "events", "asks", "persons", "text", "en"},
            {"id", "events", "asks", "persons", "text"},
            "質問",
        ):
            continue
        evs = item["events"] if item["events"] != "all" else list(F.EVENTS)
        for e in evs if isinstance(evs, list) else [evs]:
            if e not in F.EVENTS:
                c.add(
                    rel,
                    item.line_of("events"),
                    f"質問 {item['id']}: 届出 {e!r} は定義されていません",
                )
        asks = item["asks"]
        if item["persons"] not in QUESTION_PERSONS:
            c.add(
                rel,
                item.line_of("persons"),
                f"質問 {item['id']}: persons は {' | '.join(QUESTION_PERSONS)} のいずれかです",
            )
        if isinstance(asks, str) and asks.startswith("event."):
            known = asks[6:] in F.EVENT_FACTS
        else:
            known = asks in F.FLAGS or asks in (
                "health_insurance",
                "health_insurance_before",
                "pension",
                "pension_before",
                "moving",
            )
        if not known:
            c.add(
                rel,
                item.line_of("asks"),
                f"質問 {item['id']}: 既知の事実・フラグを設定しません（asks: {asks!r}）",
            )
        questions.append(
            Question(
                item["id"],
                tuple(evs),
                asks,
                item["persons"],
                item["text"],
                c.en(rel, item, {"text"}),
                item,
            )
        )

    for versions in procedures.values():
        for p in versions:
            for t in p.triggers:
                for cid, _neg in t.when:
                    cvs = conditions.get(cid, [])
                    start = min(v.valid_from for v in cvs)
                    end = max((v.valid_to or FAR_FUTURE) for v in cvs)
                    if start > p.valid_from or end < (p.valid_to or FAR_FUTURE):
                        c.add(
                            p.file,
                            p.line,
                            f"手続 {p.id}（{p.valid_from} から）: 条件 {cid} の有効期間"
                            f"（{start} 〜 {end}）が手続の有効期間を覆っていません",
                        )
    _check_versions(c, "手続", procedures)
    _check_versions(c, "条件", conditions)
    _check_versions(c, "パラメータ", parameters)

    if c.issues:
        raise CatalogError(c.issues)
    return Catalog(
        path=root,
        municipality=str(meta.get("municipality", "")),
        name=str(meta.get("name", "")),
        code=str(meta.get("code", "")),
        meta=plain(meta),
        departments=departments,
        events=events,
        parameters=parameters,
        conditions=conditions,
        exclusions=[plain(x) for x in exclusions],
        procedures=procedures,
        questions=questions,
        forms=forms,
        files=files,
    )


def default_dir() -> Path:
    try:
        from django.conf import settings

        if settings.configured:
            return Path(settings.MADOGUCHI_CATALOG_DIR)
    except ImportError:  # pragma: no cover
        pass
    return DEMO_DIR


@functools.cache
def demo_catalog() -> Catalog:
    """The demo municipality's catalog, loaded once per process."""
    return load_catalog(DEMO_DIR)


# ---------------------------------------------------------------------------------------
# export


def _filter_in_force(items: list, on: date) -> list:
    out = []
    for item in items:
        vf, vt = item.get("valid_from"), item.get("valid_to")
        if vf is not None and (vf > on or (vt is not None and vt < on)):
            continue
        out.append(item)
    return out


def export_catalog(catalog: Catalog, out: str | Path, on: date | None = None) -> list[Path]:
    """Write the catalog in force on ``on`` (default today) in the same YAML layout."""
    on = on or date.today()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for rel, data in catalog.files.items():
        if data is None:
            continue
        data = plain(data)
        if isinstance(data, dict):
            for key in ("procedures", "conditions", "parameters"):
                if isinstance(data.get(key), list):
                    data[key] = _filter_in_force(data[key], on)
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        header = (
            f"# {catalog.name} カタログ（{on.isoformat()} に有効な版） — madoguchi catalog export\n"
        )
        target.write_text(header + dump(data), encoding="utf-8")
        written.append(target)
    src_forms = catalog.path / "forms"
    if src_forms.is_dir() and src_forms.resolve() != (out / "forms").resolve():
        shutil.copytree(src_forms, out / "forms", dirs_exist_ok=True)
    return written


def canonical(catalog: Catalog, on: date | None = None) -> dict:
    """A comparable, plain form of the catalog in force (for round-trip checks)."""
    on = on or date.today()
    result = {}
    for rel, data in catalog.files.items():
        data = plain(data)
        if isinstance(data, dict):
            for key in ("procedures", "conditions", "parameters"):
                if isinstance(data.get(key), list):
                    data[key] = _filter_in_force(data[key], on)
        result[rel] = data
    result["forms"] = sorted(catalog.forms)
    return result


_CURRENT: dict[str, Catalog] = {}


def current_catalog() -> Catalog:
    """The configured catalog folder (settings.MADOGUCHI_CATALOG_DIR), loaded once."""
    key = str(default_dir())
    cat = _CURRENT.get(key)
    if cat is None:
        cat = _CURRENT[key] = load_catalog(key)
    return cat
