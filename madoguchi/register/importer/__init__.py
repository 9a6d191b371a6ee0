"""Import the resident register from a municipality's CSV export through a mapping file.

A mapping (YAML, see ``mappings/mado-sample.yaml`` and docs/register-import.md) ties each
``Person`` field to a column or columns and maps code values, so another municipality's
export needs a new mapping, not new code.

The import is all-or-nothing: every row is checked, every bad row is reported with its
line number, column and reason, and a file with any bad row writes nothing. Rows are
read as a stream and written in batches inside one transaction; a re-import updates
persons in place by 宛名番号 and leaves unchanged rows alone (by digest).

Names are stored exactly as the file holds them: digits are normalised (full-width →
half-width) only in numeric, code and date fields, never in names.

The package, by concern: ``results`` (counts and errors), ``values`` (one value: digits,
dates, codes, 続柄), ``mapping`` (the mapping file), ``address`` (one address column →
都道府県 / 市区町村 / 町字), ``convert`` (row → Person values),
``reading`` (encoding, header, records), ``run`` (``import_register``) and ``writer``
(the batch writer); the bulk SQL writers live in ``madoguchi.register.bulk``.
"""

from madoguchi.register.bulk import insert_rows, update_rows
from madoguchi.register.importer.convert import RowConverter, digest
from madoguchi.register.importer.mapping import (
    COMPUTED,
    MAPPINGS_DIR,
    REQUIRED,
    SITUATION_FLAGS,
    FieldSpec,
    Mapping,
)
from madoguchi.register.importer.reading import detect_encoding, read_header, records
from madoguchi.register.importer.results import FieldError, ImportResult, MappingError, RowError
from madoguchi.register.importer.run import BATCH_SIZE, PROGRESS_EVERY, import_register
from madoguchi.register.importer.values import (
    FULLWIDTH_DIGITS,
    date_in_era,
    fold_digits,
    parse_date,
    relationship_role,
)

__all__ = [
    "BATCH_SIZE",
    "COMPUTED",
    "FULLWIDTH_DIGITS",
    "MAPPINGS_DIR",
    "PROGRESS_EVERY",
    "REQUIRED",
    "SITUATION_FLAGS",
    "FieldError",
    "FieldSpec",
    "ImportResult",
    "Mapping",
    "MappingError",
    "RowConverter",
    "RowError",
    "date_in_era",
    "detect_encoding",
    "digest",
    "fold_digits",
    "import_register",
    "insert_rows",
    "parse_date",
    "read_header",
    "records",
    "relationship_role",
    "update_rows",
]
