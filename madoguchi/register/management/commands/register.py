"""``madoguchi register …``: import the register, import pending move-ins, generate a city.

    madoguchi register import FILE --mapping MAPPING [--dry-run] [--json]
    madoguchi register import-pending FILE --mapping MAPPING [--dry-run] [--json]
    madoguchi register generate --persons N --seed S [--city 北見市] [--pending N]

Exit status: 0 imported (or checked with --dry-run); 1 an unexpected failure (database
down …); 2 a rejected file (a bad row, a missing column, no person row at all): nothing
written; 3 refused by the nightly guard, the person count fell by more than
MADOGUCHI_IMPORT_MAX_DROP against the register: nothing written (--allow-drop).
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from madoguchi.register.importer import MappingError, import_register


class Command(BaseCommand):
    help = "住民記録: 取込（import / import-pending）と合成データの生成（generate）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("import", "住民記録 CSV を取り込む（全件成功か全件取消）"),
            ("import-pending", "転出証明書情報 CSV（転入予定者）を取り込む"),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("file", help="CSV file (UTF-8 with/without BOM, or CP932)")
            p.add_argument("--mapping", required=True, help="mapping YAML (path or shipped name)")
            p.add_argument("--dry-run", action="store_true", help="check and report only")
            p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
            p.add_argument("--quiet", action="store_true", help="no progress on stderr")
            if name == "import":
                p.add_argument(
                    "--allow-drop",
                    action="store_true",
                    help="import even if the person count fell by more than "
                    "MADOGUCHI_IMPORT_MAX_DROP (a real drop, not a truncated file)",
                )
        g = sub.add_parser("generate", help="合成の住民記録（デモ市）を生成する")
        g.add_argument("--persons", type=int, required=True)
        g.add_argument("--seed", type=int, default=1)
        g.add_argument("--city", default="北見市")
        g.add_argument("--municipality-code", default=None)
        g.add_argument("--pending", type=int, default=0, help="pending move-in households")

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "generate":
            return self._generate(opts)
        return self._import(opts, pending=action == "import-pending")

    def _import(self, opts, *, pending: bool):
        try:
            result = import_register(
                opts["file"],
                opts["mapping"],
                dry_run=opts["dry_run"],
                pending=pending,
                progress=None if opts["quiet"] else self._progress,
                allow_drop=opts.get("allow_drop", False),
            )
        except MappingError as exc:
            if opts["json"]:
                error = {"line": 0, "column": "(mapping)", "reason": str(exc)}
                self.stdout.write(json.dumps({"status": "rejected", "errors": [error]}))
            raise CommandError(f"mapping: {exc}", returncode=2) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        else:
            for err in result.errors:
                self.stderr.write(str(err))
            for warn in result.warnings:
                self.stderr.write(f"warning: {warn}")
            verb = "would import" if result.dry_run else "imported"
            if result.rejected:
                verb = "rejected (nothing written)"
            self.stdout.write(
                f"{verb}: persons {result.persons_imported} new, {result.persons_updated} "
                f"updated, {result.persons_unchanged} unchanged; households "
                f"{result.households_imported} new, {result.households_updated} updated, "
                f"{result.households_unchanged} unchanged; rows read {result.rows_read}, "
                f"skipped {result.rows_skipped}"
            )
        if result.guard == "drop":
            raise CommandError(
                "refused: the person count fell too far (truncated file?); nothing was "
                "imported — --allow-drop if the drop is real",
                returncode=3,
            )
        if result.rejected:
            raise CommandError(
                f"rejected: {len(result.errors)} error(s) in {result.rows_rejected} row(s); "
                "nothing was imported",
                returncode=2,
            )

    def _progress(self, rows: int) -> None:
        self.stderr.write(f"… {rows:,} rows")
        self.stderr.flush()

    def _generate(self, opts):
        from madoguchi.register.generator import (
            DEMO_MUNICIPALITY_CODE,
            generate_city,
            generate_pending,
        )
        from madoguchi.register.models import Person

        if opts["persons"] < 1:
            raise CommandError("--persons must be at least 1", returncode=2)
        code = opts["municipality_code"] or DEMO_MUNICIPALITY_CODE
        if Person.objects.filter(municipality_code=code).exclude(status="P").exists():
            raise CommandError(
                f"the register of municipality {code} is not empty: generate into an empty one",
                returncode=2,
            )
        started = time.perf_counter()
        with transaction.atomic():
            created = generate_city(
                opts["persons"],
                opts["seed"],
                city=opts["city"],
                municipality_code=code,
            )
            pending = generate_pending(opts["pending"], seed=opts["seed"]) if opts["pending"] else 0
        self.stdout.write(
            f"generated {created} persons, {pending} pending households "
            f"in {time.perf_counter() - started:.1f} s"
        )
