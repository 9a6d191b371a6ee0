"""Mapping files as docs/register-import.md writes them, read literally from the docs: the
boolean keys YAML makes of ``true:`` / ``false:``, unknown keys refused with file, field and
key named, and an address given in one column split into 都道府県 / 市区町村 / 町字."""

import csv
import re
from pathlib import Path

import pytest
import yaml

from madoguchi.register.importer import Mapping, MappingError, import_register
from madoguchi.register.importer.address import AddressError, split_address
from madoguchi.register.models import Person

DOC = Path(__file__).resolve().parents[3] / "docs" / "register-import.md"


def doc_mappings() -> list[dict]:
    """Every ```yaml block of the "Mapping files" section, in order. A block that does not
    name the required fields changes the ``fields`` of the full mapping before it."""
    section = DOC.read_text("utf-8").split("### Mapping files", 1)[1].split("\n## ", 1)[0]
    found = []
    for block in re.findall(r"```yaml\n(.*?)```", section, re.S):
        data = yaml.safe_load(block)
        if "atena_no" in data.get("fields", {}):
            found.append(data)
        else:
            found.append({**found[-1], "fields": {**found[-1]["fields"], **data["fields"]}})
    return found


def write(path, mapping: Mapping, rows: list[dict]) -> Path:
    header = sorted(mapping.columns())
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows([[row.get(c, "") for c in header] for row in rows])
    return path


def test_the_docs_show_three_mappings():
    general, one_column, by_prefix = doc_mappings()
    assert general["fields"]["child_allowance_recipient"][True] == "nonblank"  # YAML's reading
    assert "address" in one_column["fields"] and "prefix" in by_prefix["fields"]["address"]


def test_documented_general_mapping_imports_as_written(db, tmp_path):
    mapping = Mapping(doc_mappings()[0], source="docs/register-import.md")
    spec = mapping.fields["child_allowance_recipient"]
    assert spec.true_if_nonblank and spec.true is None
    assert mapping.flags["my_number_card"].true == {"1"}
    base = {"最新フラグ": "1", "個人履歴番号": "1", "削除フラグ": "0", "世帯番号": "1"}
    rows = [
        {**base, "宛名番号": "1", "氏": "甲野", "名": "一郎", "氏名カナ": "コウノ　イチロウ",
         "生年月日": "1980-04-01", "元号": "3", "性別": "男", "続柄コード": "2",
         "番地": "３番地", "カード交付": "1", "期間_年": "5", "期間_月": "0", "期間_日": "0",
         "前住所_都道府県": "東京都", "前住所_市区町村": "新宿区", "前住所_町字": "西新宿二丁目",
         "前住所_番地": "8番1号"},
        {**base, "宛名番号": "2", "氏": "甲野", "名": "花子", "生年月日": "平成2年5月1日",
         "元号": "4", "性別": "2", "続柄コード": "12", "児童手当区分": "2"},
        {**base, "宛名番号": "3", "氏": "甲野", "名": "太郎", "生年月日": "20150401",
         "元号": "4", "性別": "1", "続柄コード": "20"},
        {**base, "宛名番号": "4", "削除フラグ": "1"},  # logically deleted: skipped
    ]  # fmt: skip
    result = import_register(write(tmp_path / "general.csv", mapping, rows), mapping)
    assert not result.errors, result.errors
    assert result.persons_imported == 3 and result.rows_skipped == 1
    head, wife, child = (Person.objects.get(atena_no=n) for n in "123")
    assert head.name == "甲野\u3000一郎" and head.birth_era == "昭和" and head.sex == "1"
    assert head.flags == ["my_number_card"] and wife.flags == []
    assert head.residence_period == "5年" and head.banchi == "3番地"
    assert head.former_address == "東京都新宿区西新宿二丁目8番1号"
    # `true: nonblank`: any value is 受給, blank is not (before: "2" was refused as a bad flag)
    assert wife.child_allowance_recipient and not child.child_allowance_recipient
    assert wife.relationship == "妻" and child.relationship_role == "child"


def test_shipped_mado_mapping_reads_true_nonblank():
    spec = Mapping.load("mado-sample.yaml").fields["child_allowance_recipient"]
    assert spec.true_if_nonblank


def test_documented_one_column_address_is_split(db, tmp_path):
    mapping = Mapping(doc_mappings()[1], source="docs/register-import.md")
    base = {"世帯番号": "1", "生年月日": "1980-04-01", "性別": "1", "続柄コード": "02"}
    rows = [
        {**base, "宛名番号": "1", "氏名": "乙川　一郎", "郵便番号": "090-0024",
         "住所": "北海道北見市北四条東", "番地": "３丁目１番地"},
        {**base, "宛名番号": "2", "世帯番号": "2", "氏名": "丙田　二郎",
         "住所": "北見市北五条東", "番地": "１番地"},  # no prefecture, no postal code
        {**base, "宛名番号": "3", "世帯番号": "3", "氏名": "丁野　三郎",
         "住所": "北海道河西郡芽室町東二条", "番地": "２番地"},
    ]  # fmt: skip
    result = import_register(write(tmp_path / "one.csv", mapping, rows), mapping)
    assert not result.errors, result.errors

    def parts(atena_no):
        p = Person.objects.get(atena_no=atena_no)
        return p.prefecture, p.city, p.town, p.banchi

    assert parts("1") == ("北海道", "北見市", "北四条東", "3丁目1番地")
    assert parts("2") == ("北海道", "北見市", "北五条東", "1番地")
    assert parts("3") == ("北海道", "河西郡芽室町", "東二条", "2番地")


def test_an_address_that_cannot_be_split_rejects_the_file_naming_line_and_column(db, tmp_path):
    mapping = Mapping(doc_mappings()[1], source="docs/register-import.md")
    base = {"世帯番号": "1", "生年月日": "1980-04-01", "性別": "1", "続柄コード": "02"}
    rows = [
        {**base, "宛名番号": "1", "氏名": "乙川　一郎", "住所": "北海道北見市北四条東"},
        {**base, "宛名番号": "2", "世帯番号": "2", "氏名": "丙田　二郎", "住所": "府中市宮町"},
        {**base, "宛名番号": "3", "世帯番号": "3", "氏名": "丁野　三郎", "住所": "架空町一丁目"},
    ]
    result = import_register(write(tmp_path / "bad.csv", mapping, rows), mapping)
    assert [(e.line, e.column) for e in result.errors] == [(3, "住所"), (4, "住所")]
    assert "複数の都道府県" in result.errors[0].reason  # 府中市: 東京都 and 広島県
    assert "宮町" not in str(result.errors[0]) and "架空町" not in str(result.errors[1])
    assert Person.objects.count() == 0  # all-or-nothing


def test_documented_prefix_splits_by_the_municipality_it_names(db, tmp_path):
    mapping = Mapping(doc_mappings()[2], source="docs/register-import.md")
    assert mapping.fields["address"].prefix == ("北海道", "北見市")
    base = {"世帯番号": "1", "生年月日": "1980-04-01", "性別": "1", "続柄コード": "02"}
    rows = [{**base, "宛名番号": "1", "氏名": "乙川　一郎", "住所": "北見市北四条東"}]
    result = import_register(write(tmp_path / "p.csv", mapping, rows), mapping)
    assert not result.errors, result.errors
    p = Person.objects.get(atena_no="1")
    assert (p.prefecture, p.city, p.town) == ("北海道", "北見市", "北四条東")
    rows[0]["住所"] = "北海道網走市南六条東"
    result = import_register(write(tmp_path / "p2.csv", mapping, rows), mapping)
    assert [e.column for e in result.errors] == ["住所"]
    assert "北海道北見市" in result.errors[0].reason


@pytest.mark.parametrize(
    ("text", "postal", "expected"),
    [
        ("北海道北見市北四条東", "", ("北海道", "北見市", "北四条東")),
        ("北海道札幌市中央区北一条西", "", ("北海道", "札幌市中央区", "北一条西")),
        ("神奈川県横浜市港北区日吉", "", ("神奈川県", "横浜市港北区", "日吉")),
        ("北海道　北見市　北四条東", "", ("北海道", "北見市", "北四条東")),
        ("北海道芽室町東二条", "", ("北海道", "芽室町", "東二条")),  # 郡 left out
        ("府中市宮町", "1830023", ("東京都", "府中市", "宮町")),  # the postal code decides
        ("北海道北見市", "", ("北海道", "北見市", "")),
    ],
)
def test_split_by_the_postal_code_dictionary(text, postal, expected):
    assert split_address(text, postal) == expected


def test_split_refuses_what_the_dictionary_cannot_place():
    with pytest.raises(AddressError, match="複数の都道府県"):
        split_address("府中市宮町")
    with pytest.raises(AddressError, match="北海道の市区町村"):
        split_address("北海道架空市一条")


def _mapping(tmp_path, fields: str) -> Path:
    path = tmp_path / "vendor.yaml"
    path.write_text(
        "fields:\n  atena_no: 宛名番号\n  household_no: 世帯番号\n  name: 氏名\n"
        "  birth_date: 生年月日\n  sex: {column: 性別, type: code, codes: {'1': '1'}}\n"
        "  relationship: 続柄\n" + fields,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("fields", "where", "key"),
    [
        ("  nhi: {column: 国保, type: bool, tru: nonblank}\n", "field 'nhi'", "tru"),
        ("  banchi: {column: 番地, halfwidth: true}\n", "field 'banchi'", "halfwidth"),
        ("  address: {column: 住所, prefx: {prefecture: 北海道, city: 北見市}}\n",
         "field 'address'", "prefx"),
        ("flags:\n  dog_owner: {column: 犬, value: 1}\n", "flag 'dog_owner'", "value"),
    ],
)  # fmt: skip
def test_unknown_keys_are_refused_naming_file_field_and_key(tmp_path, fields, where, key):
    path = _mapping(tmp_path, fields)
    with pytest.raises(MappingError) as err:
        Mapping.load(path)
    assert str(path) in str(err.value)
    assert f"{where}: unknown key '{key}'" in str(err.value)


def test_boolean_keys_mean_the_words(tmp_path):
    path = _mapping(tmp_path, "  nhi: {column: 国保, type: bool, true: [あり], false: [なし]}\n")
    spec = Mapping.load(path).fields["nhi"]
    assert spec.true == {"あり"} and spec.false == {"なし"}


def test_address_and_its_parts_are_not_mapped_twice(tmp_path):
    path = _mapping(tmp_path, "  address: 住所\n  city: 市区町村\n")
    with pytest.raises(MappingError, match="do not map city"):
        Mapping.load(path)
    path = _mapping(
        tmp_path, "  address: {column: 住所, prefix: {prefecture: 北海州, city: X市}}\n"
    )
    with pytest.raises(MappingError, match="'北海州' is not a 都道府県"):
        Mapping.load(path)
