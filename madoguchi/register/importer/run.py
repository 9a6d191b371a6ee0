"""``import_register``: one all-or-nothing pass over a file, row by row, in one transaction."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from madoguchi.register.importer.convert import RowConverter
from madoguchi.register.importer.mapping import Mapping
from madoguchi.register.importer.reading import detect_encoding, read_header, records
from madoguchi.register.importer.results import ImportResult, RowError
from madoguchi.register.importer.values import UNDECODABLE, fold_digits
from madoguchi.register.importer.writer import Writer
from madoguchi.register.models import Relationship

PROGRESS_EVERY = 50_000
BATCH_SIZE = 5_000


class _Rollback(Exception):
    pass


ProgressFn = Callable[[int], None]


def import_register(
    path: str | Path,
    mapping: Mapping | str | Path,
    *,
    dry_run: bool = False,
    pending: bool = False,
    progress: ProgressFn | None = None,
    progress_every: int = PROGRESS_EVERY,
    batch_size: int = BATCH_SIZE,
    allow_drop: bool = False,
) -> ImportResult:
    """Import a register CSV (all-or-nothing). Returns counts and every error.

    The nightly guard (register import only, not pending move-ins): a file without a
    single person row is rejected, and so is a file whose persons are fewer than those in
    the register by more than ``MADOGUCHI_IMPORT_MAX_DROP`` (a truncated export), unless
    ``allow_drop`` (``--allow-drop``) says the drop is real (``result.guard`` names it).
    """
    path = Path(path)
    if not isinstance(mapping, Mapping):
        mapping = Mapping.load(mapping)
    result = ImportResult(file=str(path), mapping=mapping.source, dry_run=dry_run)
    if not path.exists():
        result.errors.append(RowError(0, "(file)", "ファイルがありません"))
        return result
    encoding = detect_encoding(path, mapping.encoding)
    result.encoding = encoding
    try:
        header = read_header(path, encoding)
    except UnicodeDecodeError:
        result.errors.append(RowError(1, "(見出し)", f"文字コード {encoding} として読めません"))
        return result
    conv = RowConverter(mapping, header, pending=pending)
    for col in conv.missing_columns:
        result.errors.append(RowError(1, col, "列がありません"))
    if result.errors:
        return result

    keep = _history_filter(path, encoding, conv, result)
    writer = Writer(result, dry_run=dry_run, batch_size=batch_size)
    try:
        with transaction.atomic():
            before = 0 if pending else _persons_in_register()
            _run(path, encoding, conv, keep, writer, result, progress, progress_every)
            writer.finish()
            if not pending and not result.errors:
                _guard(result, before, allow_drop)
            if not result.errors and not dry_run:
                from madoguchi.register.services import apply_holds

                apply_holds()  # a same-day 支援措置 is never lifted by an import
            if not pending and not result.errors and not dry_run:
                from madoguchi.register.pending import resolve_arrivals

                result.pending_resolved = resolve_arrivals()
            if not result.errors and not dry_run:
                _audit(path, result, pending, refused=False)  # committed with the rows
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if result.errors and not dry_run:
        _audit(path, result, pending, refused=True)  # the refusal outlives the rollback
    if result.errors:  # rolled back: the writer's counts of the good rows were not written
        for name in (
            "persons_imported",
            "persons_updated",
            "persons_unchanged",
            "households_imported",
            "households_updated",
            "households_unchanged",
            "pending_resolved",
        ):
            setattr(result, name, 0)
    return result


def _file_sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _audit(path: Path, result: ImportResult, pending: bool, *, refused: bool) -> None:
    """One audit record per import: the file's name and SHA-256 and the counts (never a
    row's content); a refused import names the guard and the number of errors."""
    from madoguchi.audit.services import record

    action = "register.import_pending" if pending else "register.import"
    counts = (
        f"persons +{result.persons_imported} ~{result.persons_updated} "
        f"={result.persons_unchanged} households +{result.households_imported} "
        f"~{result.households_updated} ={result.households_unchanged}"
    )
    if refused:
        action += ".refused"
        counts = f"errors {len(result.errors)}" + (f" guard {result.guard}" if result.guard else "")
    elif not pending:
        counts += f" pending_resolved {result.pending_resolved}"
    record(None, action, query=f"{path.name} sha256:{_file_sha256(path)} {counts}")


def _persons_in_register() -> int:
    from madoguchi.register.models import Person, ResidentStatus

    return Person.objects.exclude(status=ResidentStatus.PENDING).count()


def _guard(result: ImportResult, before: int, allow_drop: bool) -> None:
    """Refuse an empty file, and a person count that falls too far against the register."""
    from django.conf import settings

    in_file = result.persons_imported + result.persons_updated + result.persons_unchanged
    if in_file == 0:
        result.guard = "empty"
        result.errors.append(
            RowError(2, "(件数)", "住民の行が1件もありません（見出しだけのファイル）")
        )
        return
    max_drop = settings.MADOGUCHI_IMPORT_MAX_DROP
    if before and in_file < before * (1 - max_drop) and not allow_drop:
        result.guard = "drop"
        result.errors.append(
            RowError(
                0,
                "(件数)",
                f"住民数が前回の取込より {1 - in_file / before:.1%} 減っています"
                f"（ファイル {in_file} 人、住民記録 {before} 人、許容 {max_drop:.0%}）。"
                "途中で切れたファイルではありませんか。本当に減ったときは --allow-drop",
            )
        )


def _history_filter(path, encoding, conv: RowConverter, result) -> dict[str, int] | None:
    """Without a latest flag, the highest 履歴番号 per 宛名番号 is the current row."""
    if conv.latest_idx is not None or conv.history_idx is None:
        return None
    best: dict[str, int] = {}
    try:
        for _line, row in records(path, encoding):
            if len(row) != conv.width:
                continue
            atena = fold_digits(row[conv.atena_idx])
            hist = fold_digits(row[conv.history_idx])
            if hist.isdigit() and int(hist) > best.get(atena, -1):
                best[atena] = int(hist)
    except UnicodeDecodeError:
        return None  # reported by the main pass
    return best


def _run(path, encoding, conv: RowConverter, keep, writer, result, progress, every):
    # keys are "municipality_code␟number" strings: one small object per person/household
    seen: dict[str, int] = {}
    heads: dict[str, int] = {}
    line = 1
    rows = records(path, encoding)
    while True:
        try:
            line, row = next(rows)
        except StopIteration:
            break
        except UnicodeDecodeError:
            result.errors.append(
                RowError(line + 1, "(行)", f"文字コード {encoding} として読めない文字があります")
            )
            break
        except csv.Error as exc:
            result.errors.append(RowError(line + 1, "(行)", f"CSV の形式が不正です: {exc}"))
            break
        result.rows_read += 1
        if progress and result.rows_read % every == 0:
            progress(result.rows_read)
        if UNDECODABLE.search("".join(row)):
            for i, value in enumerate(row):
                if UNDECODABLE.search(value):
                    column = conv.header[i] if i < len(conv.header) else f"({i + 1}列目)"
                    result.errors.append(
                        RowError(
                            line, column, f"文字コード {encoding} として読めない文字があります"
                        )
                    )
            continue
        if "\x00" in "".join(row):  # PostgreSQL text cannot hold NUL; never echo the value
            for i, value in enumerate(row):
                if "\x00" in value:
                    column = conv.header[i] if i < len(conv.header) else f"({i + 1}列目)"
                    result.errors.append(RowError(line, column, "NUL 文字（0x00）を含んでいます"))
            continue
        if len(row) == conv.width and conv.skipped(row):
            result.rows_skipped += 1
            continue
        if keep is not None and len(row) == conv.width:
            hist = fold_digits(row[conv.history_idx])
            if hist.isdigit() and keep.get(fold_digits(row[conv.atena_idx])) != int(hist):
                result.rows_skipped += 1
                continue
        values, errors = conv.convert(row)
        if errors:
            for column, reason, _field in errors:
                result.errors.append(RowError(line, column, reason))
            continue
        key = f"{values['municipality_code']}\x1f{values['atena_no']}"
        if key in seen:
            col = conv.mapping.fields["atena_no"].columns[0]
            result.errors.append(
                RowError(line, col, f"宛名番号が重複しています（{seen[key]}行目と同じ）")
            )
            continue
        seen[key] = line
        if values.get("relationship_role") == Relationship.HEAD and values.get("status") in (
            None,
            "1",
            "P",
        ):
            hkey = f"{values['municipality_code']}\x1f{values['household_no']}"
            if hkey in heads:
                col = (
                    conv.mapping.fields.get("relationship_code")
                    or conv.mapping.fields.get("relationship")
                ).columns[0]
                result.errors.append(
                    RowError(line, col, f"世帯主が複数です（{heads[hkey]}行目も世帯主）")
                )
                continue
            heads[hkey] = line
        if not result.errors:
            writer.add(line, values)
    if progress and result.rows_read % every:
        progress(result.rows_read)
