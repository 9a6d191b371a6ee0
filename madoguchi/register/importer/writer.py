"""The import's batch writer: households first, then persons (create / update / unchanged)."""

from __future__ import annotations

from django.db import connection

from madoguchi.register.bulk import BulkLoad, insert_rows, update_rows
from madoguchi.register.importer.results import ImportResult
from madoguchi.register.models import Household, Person

CREATED, TOUCHED = 1, 2


class Writer:
    """Batches records: households first, then persons (create / update / unchanged)."""

    def __init__(self, result: ImportResult, *, dry_run: bool, batch_size: int):
        self.result = result
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.batch: list[dict] = []
        # "municipality_code␟household_no" -> id, and -> CREATED | TOUCHED bits
        self.household_ids: dict[str, int | None] = {}
        self.hh_state: dict[str, int] = {}
        # A first import into empty tables needs no look-ups of existing rows.
        self.no_persons = not Person.objects.exists()
        self.no_households = not Household.objects.exists()
        self.bulk_load: BulkLoad | None = None
        if self.no_persons and not dry_run and connection.vendor == "postgresql":
            self.bulk_load = BulkLoad()
            self.bulk_load.drop()

    def add(self, line: int, values: dict) -> None:
        self.batch.append(values)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            batch, self.batch = self.batch, []
            self._households(batch)
            self._persons(batch)

    def finish(self) -> None:
        self.flush()
        r = self.result
        if self.bulk_load is not None and not r.errors:
            self.bulk_load.restore()
        states = self.hh_state.values()
        r.households_imported = sum(1 for st in states if st & CREATED)
        r.households_updated = sum(1 for st in states if st == TOUCHED)
        r.households_unchanged = sum(1 for st in states if st == 0)

    def _households(self, batch: list[dict]) -> None:
        wanted: dict[str, tuple[str, str, bool]] = {}
        for v in batch:
            mc, no = v["municipality_code"], v["household_no"]
            key = f"{mc}\x1f{no}"
            v["_hkey"] = key
            if key not in self.household_ids:
                wanted[key] = (mc, no, v.get("status") == "P")
        if not wanted:
            return
        by_mc: dict[str, list[str]] = {}
        for mc, no, _p in wanted.values():
            by_mc.setdefault(mc, []).append(no)
        for mc, nos in by_mc.items() if not self.no_households else ():
            for hid, no in Household.objects.filter(
                municipality_code=mc, household_no__in=nos
            ).values_list("id", "household_no"):
                self.household_ids[f"{mc}\x1f{no}"] = hid
        new = [k for k in wanted if k not in self.household_ids]
        if not new:
            return
        for k in new:
            self.hh_state[k] = CREATED
        if self.dry_run:
            for k in new:
                self.household_ids[k] = None
            return
        objs = [
            Household(municipality_code=mc, household_no=no, is_pending=pending)
            for mc, no, pending in (wanted[k] for k in new)
        ]
        created = Household.objects.bulk_create(objs, batch_size=self.batch_size)
        for obj in created:
            self.household_ids[f"{obj.municipality_code}\x1f{obj.household_no}"] = obj.pk

    def _persons(self, batch: list[dict]) -> None:
        result = self.result
        by_mc: dict[str, list[str]] = {}
        for v in batch:
            by_mc.setdefault(v["municipality_code"], []).append(v["atena_no"])
        existing: dict[tuple[str, str], tuple[int, str, int]] = {}
        for mc, atenas in by_mc.items() if not self.no_persons else ():
            for pid, atena, dig, hid in Person.objects.filter(
                municipality_code=mc, atena_no__in=atenas
            ).values_list("id", "atena_no", "import_digest", "household_id"):
                existing[(mc, atena)] = (pid, dig, hid)
        creates, updates = [], []
        left: set[int] = set()  # households a person moved out of
        state = self.hh_state
        for v in batch:
            mc = v["municipality_code"]
            del v["household_no"]
            hkey = v.pop("_hkey")
            hid = self.household_ids[hkey]
            found = existing.get((mc, v["atena_no"]))
            if found is None:
                creates.append((hid, v))
                state[hkey] = state.get(hkey, 0) | TOUCHED
            elif found[1] == v["import_digest"] and found[2] == hid:
                result.persons_unchanged += 1
                state.setdefault(hkey, 0)
            else:
                updates.append((found[0], hid, v))
                state[hkey] = state.get(hkey, 0) | TOUCHED
                if found[2] != hid:
                    left.add(found[2])
        if left:
            for mc, no in Household.objects.filter(id__in=left).values_list(
                "municipality_code", "household_no"
            ):
                key = f"{mc}\x1f{no}"
                state[key] = state.get(key, 0) | TOUCHED
        result.persons_imported += len(creates)
        result.persons_updated += len(updates)
        if self.dry_run:
            return
        if creates:
            insert_rows(Person, [dict(v, household_id=hid) for hid, v in creates])
        if updates:
            update_rows(
                Person,
                [dict(v, id=pid, household_id=hid) for pid, hid, v in updates],
                keep=("municipality_code", "atena_no"),
            )
