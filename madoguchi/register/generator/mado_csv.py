"""The city as a MADO-layout CSV (for the import benchmark)."""

from __future__ import annotations

import csv
from pathlib import Path

from madoguchi.register.generator.city import era_name
from madoguchi.register.generator.data import DEMO_CITY, DEMO_MUNICIPALITY_CODE
from madoguchi.register.generator.write import iter_city

MADO_COLUMNS = (
    "市区町村コード,宛名番号,個人履歴番号,個人履歴番号_枝番号,最新フラグ,"
    "改製番号,世帯番号,住民種別,住民状態,住民票コード,異動年月日,"
    "異動年月日_不詳フラグ,異動届出年月日,届出番号,異動事由,異動区分,通知日,"
    "記載等の種別,氏名,氏_日本人,名_日本人,氏名_外国人ローマ字,"
    "氏名_フリガナ,氏_日本人_フリガナ,名_日本人_フリガナ,"
    "氏名_フリガナ確認状況,性別,性別表記,生年月日_元号,生年月日,"
    "生年月日_不詳フラグ,続柄コード1,続柄表記,世帯主氏名,住所_市区町村コード,"
    "住所_町字コード,住所_都道府県,住所_市区郡町村名,住所_町字,"
    "住所_番地号表記,住所_方書,住所_郵便番号,住民となった年月日,"
    "住民となった年月日_不詳フラグ,記載の異動年月日,記載の異動年月日_不詳フラグ,"
    "記載の事由,転入前住所_市区町村コード,転入前住所_町字コード,"
    "転入前住所_都道府県,転入前住所_市区郡町村名,転入前住所_町字,"
    "転入前住所_番地号表記,転入前住所_郵便番号,本籍,本籍_町字,"
    "本籍_地番号または、街区符号,本籍_市区町村コード,本籍_町字コード,"
    "戸籍_筆頭者,戸籍_筆頭者_氏,戸籍_筆頭者_名,消除の事由,消除の届出年月日,"
    "消除の異動年月日,消除の異動年月日_不詳フラグ,住所を定めた年月日,"
    "住所を定めた年月日_不詳フラグ,地区管理コード1,記載順位,"
    "成年被後見人_該当有無,除票フラグ,除票用データベース登録年月日,"
    "履歴選択不可フラグ,処理年月日,改製記載年月日,改製記載年月日_不詳フラグ,"
    "選挙人名簿登録有無,国保資格有無,国保資格取得年月日,後期高齢資格有無,"
    "後期高齢資格取得年月日,介護資格有無,介護資格取得年月日,年金資格有無,"
    "基礎年金番号,年金資格種別,年金資格取得年月日,年金資格喪失年月日,"
    "児童手当資格区分,児童手当受給開始年月,統合宛名フラグ,他業務参照不可フラグ,"
    "業務ID,削除フラグ,操作者ID,操作年月日,操作時刻,転出届出年月日,"
    "転出予定年月日,転出年月日（確定）,転入通知年月日,"
    "転出先住所（確定）_市区町村コード,転出先住所（確定）_都道府県,"
    "転出先住所（確定）_市区郡町村名,転出先住所（確定）_町字,"
    "転出先住所（確定）_番地号表記,転出先住所（確定）_方書,"
    "転出先住所（確定）_郵便番号,外国人住民となった年月日,"
    "外国人住民となった年月日_不詳フラグ,在留カード等番号,在留カード等番号区分,"
    "国籍等_国名コード,国籍名等,第30条45規定区分,住居地の届出の有無,"
    "在留資格等コード,在留期間等コード_年,在留期間等コード_月,"
    "在留期間等コード_日,在留期間の満了の日"
).split(",")
assert len(MADO_COLUMNS) == 122


def mado_row(m: dict, head_name: str) -> list[str]:
    """One MADO-layout row (full-width digits in 郵便番号 and 番地, like the sample)."""
    fw = str.maketrans("0123456789", "０１２３４５６７８９")

    def d(v):
        return v.isoformat() if v else ""

    def b(v):
        return "1" if v else "0"

    from madoguchi.core.wareki import ERAS

    era_codes = {e.name: str(e.code) for e in ERAS}
    foreign = m.get("resident_kind") == "2"
    surname, _, given = m["name"].partition("\u3000")
    kana_s, _, kana_g = m["name_kana"].partition("\u3000")
    values = {
        "市区町村コード": m["municipality_code"],
        "宛名番号": m["atena_no"],
        "個人履歴番号": "1",
        "個人履歴番号_枝番号": "1",
        "最新フラグ": "1",
        "世帯番号": m["household_no"],
        "住民種別": m.get("resident_kind", "1"),
        "住民状態": m.get("status", "1"),
        "住民票コード": m.get("juminhyo_code", ""),
        "氏名": m["name"],
        "氏_日本人": "" if foreign else surname,
        "名_日本人": "" if foreign else given,
        "氏名_外国人ローマ字": m.get("name_roman", ""),
        "氏名_フリガナ": m["name_kana"],
        "氏_日本人_フリガナ": "" if foreign else kana_s,
        "名_日本人_フリガナ": "" if foreign else kana_g,
        "氏名_フリガナ確認状況": b(m.get("kana_confirmed")),
        "性別": m["sex"],
        "性別表記": "男" if m["sex"] == "1" else "女",
        "生年月日_元号": era_codes.get(m.get("birth_era") or era_name(m["birth_date"]), ""),
        "生年月日": d(m["birth_date"]),
        "生年月日_不詳フラグ": b(m.get("birth_date_uncertain")),
        "続柄コード1": m.get("relationship_code") or "",
        "続柄表記": m["relationship"],
        "世帯主氏名": head_name,
        "住所_市区町村コード": m["municipality_code"],
        "住所_町字コード": m.get("town_code", ""),
        "住所_都道府県": m.get("prefecture", ""),
        "住所_市区郡町村名": m.get("city", ""),
        "住所_町字": m.get("town", ""),
        "住所_番地号表記": m.get("banchi", "").translate(fw),
        "住所_方書": m.get("katagaki", ""),
        "住所_郵便番号": m.get("postal_code", "").translate(fw),
        "住民となった年月日": d(m.get("became_resident_on")),
        "住所を定めた年月日": d(m.get("address_set_on")),
        "異動届出年月日": d(m.get("notified_on")),
        "転入前住所_町字": m.get("former_address", ""),
        "転入前住所_郵便番号": m.get("former_postal_code", ""),
        "本籍": m.get("honseki", ""),
        "戸籍_筆頭者": m.get("hittousha", ""),
        "消除の事由": {"転出": "2", "死亡": "3"}.get(m.get("removal_reason", ""), ""),
        "消除の異動年月日": d(m.get("removed_on")),
        "記載順位": str(m.get("household_order", "")),
        "成年被後見人_該当有無": b(m.get("adult_ward")),
        "除票フラグ": b(m.get("status") in ("2", "3", "9")),
        "削除フラグ": "0",
        "国保資格有無": b(m.get("nhi")),
        "国保資格取得年月日": d(m.get("nhi_since")),
        "後期高齢資格有無": b(m.get("elderly_medical")),
        "後期高齢資格取得年月日": d(m.get("elderly_medical_since")),
        "介護資格有無": b(m.get("care_insured")),
        "介護資格取得年月日": d(m.get("care_since")),
        "年金資格種別": m.get("pension_category") or "",
        "児童手当資格区分": "1" if m.get("child_allowance_recipient") else "",
        "転出予定年月日": d(m.get("planned_move_out_on")),
        "転出先住所（確定）_町字": m.get("moved_out_to", ""),
        "外国人住民となった年月日": d(m.get("foreign_resident_since")),
        "在留カード等番号": m.get("residence_card_no", ""),
        "国籍名等": m.get("nationality_name", ""),
        "第30条45規定区分": {"中長期在留者": "1", "特別永住者": "2"}.get(
            m.get("art30_45_class", ""), ""
        ),
        "在留資格等コード": m.get("residence_status", ""),
        "在留期間等コード_年": m.get("residence_period", "").removesuffix("年"),
        "在留期間の満了の日": d(m.get("residence_expires_on")),
    }
    return [values.get(c, "") for c in MADO_COLUMNS]


def write_mado_csv(
    path: str | Path,
    persons: int,
    seed: int,
    city: str = DEMO_CITY,
    municipality_code: str = DEMO_MUNICIPALITY_CODE,
    encoding: str = "utf-8-sig",
) -> int:
    """Write a synthetic city as a MADO-layout CSV (streamed); returns the rows written."""
    rows = 0
    with Path(path).open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(MADO_COLUMNS)
        for _no, members in iter_city(persons, seed, city, municipality_code):
            head = next(m["name"] for m in members if m["relationship"] == "世帯主")
            for m in members:
                w.writerow(mado_row(m, head))
                rows += 1
    return rows
