"""The demo city's fixed data: its municipality, reference date, move-in family, names,
nationalities, work statuses and 続柄 codes."""

from __future__ import annotations

import datetime as dt

DEMO_MUNICIPALITY_CODE = "012084"  # 北見市 (the towns the generator uses); catalog.yaml agrees
DEMO_CITY = "北見市"
DEMO_AS_OF = dt.date(2026, 11, 1)
BATCH = 5_000

# The family the counter's browser test finds among the pending move-ins (see
# docs/register-import.md and madoguchi/rules/examples/move_in_family_of_four.situation.yaml).
DEMO_MOVE_IN_FAMILY = {
    "household_no": "P0000000001",
    "former_address": "東京都世田谷区桜新町二丁目5番3号",
    "former_postal_code": "1540015",
    "postal_code": "0900025",
    "prefecture": "北海道",
    "city": "北見市",
    "town": "北五条東四丁目",
    "banchi": "2番地",
    "katagaki": "",
    "planned_move_in_on": dt.date(2027, 3, 29),
    "phone": "090-2718-2818",  # 転入予約's 連絡先電話番号
    "members": [
        {
            "atena_no": "P0000000011",
            "name": "星野\u3000健一",
            "name_kana": "ホシノ\u3000ケンイチ",
            "birth_date": dt.date(1985, 6, 1),
            "sex": "1",
            "relationship": "世帯主",
            "flags": ["my_number_card"],
        },
        {
            "atena_no": "P0000000012",
            "name": "星野\u3000美咲",
            "name_kana": "ホシノ\u3000ミサキ",
            "birth_date": dt.date(1987, 9, 15),
            "sex": "2",
            "relationship": "妻",
            "flags": ["my_number_card"],
        },
        {
            "atena_no": "P0000000013",
            "name": "星野\u3000蓮",
            "name_kana": "ホシノ\u3000レン",
            "birth_date": dt.date(2017, 6, 10),
            "sex": "1",
            "relationship": "子",
            "flags": [],
        },
        {
            "atena_no": "P0000000014",
            "name": "星野\u3000結衣",
            "name_kana": "ホシノ\u3000ユイ",
            "birth_date": dt.date(2023, 2, 20),
            "sex": "2",
            "relationship": "子",
            "flags": [],
        },
    ],
}

# The second pending household of the demo: a Vietnamese couple moving in from Tokyo, with
# the 外国人住民 columns of the 転出証明書情報 (fictional card numbers).
DEMO_MOVE_IN_FOREIGN = {
    "household_no": "P0000000002",
    "former_address": "東京都新宿区大久保一丁目3番5号",
    "former_postal_code": "1690072",
    "postal_code": "0900024",
    "prefecture": "北海道",
    "city": "北見市",
    "town": "北四条東三丁目",
    "banchi": "7番地",
    "katagaki": "メゾン北四条102号室",
    "planned_move_in_on": dt.date(2027, 4, 1),
    "members": [
        {
            "atena_no": "P0000000021",
            "name": "NGUYEN VAN AN",
            "name_kana": "グエン　ヴァン　アン",
            "birth_date": dt.date(1995, 3, 2),
            "sex": "1",
            "relationship": "世帯主",
            "flags": ["my_number_card"],
            "foreign": {
                "nationality": "VN",
                "name_roman": "NGUYEN VAN AN",
                "alt_name": "",
                "art30_45_class": "中長期在留者",
                "residence_status": "技術・人文知識・国際業務",
                "residence_period": "5年",
                "residence_expires_on": dt.date(2030, 3, 31),
                "residence_card_no": "AB12345678CD",
            },
        },
        {
            "atena_no": "P0000000022",
            "name": "TRAN THI BINH",
            "name_kana": "チャン　ティ　ビン",
            "birth_date": dt.date(1997, 8, 20),
            "sex": "2",
            "relationship": "妻",
            "flags": [],
            "foreign": {
                "nationality": "VN",
                "name_roman": "TRAN THI BINH",
                "alt_name": "",
                "art30_45_class": "中長期在留者",
                "residence_status": "家族滞在",
                "residence_period": "5年",
                "residence_expires_on": dt.date(2030, 3, 31),
                "residence_card_no": "CD87654321EF",
            },
        },
    ],
}

# About 1 person in 200 carries a surname as registered in MJ characters: 髙, 﨑, 𠮷, 邊
# and IVS sequences (辻 and 葛 with U+E0102), stored exactly.
RARE_SURNAMES = [
    ("髙橋", "タカハシ"),
    ("髙田", "タカダ"),
    ("山﨑", "ヤマザキ"),
    ("宮﨑", "ミヤザキ"),
    ("\U00020bb7田", "ヨシダ"),
    ("\U00020bb7川", "ヨシカワ"),
    ("渡邊", "ワタナベ"),
    ("辻\U000e0102", "ツジ"),
    ("葛\U000e0102西", "カサイ"),
    ("葛\U000e0102城", "カツラギ"),
]
RARE_SHARE = 1 / 200

# Former addresses of residents who moved in (and of pending move-ins).
OTHER_CITIES = [
    ("北海道", "札幌市中央区", "0600001", "北一条西"),
    ("北海道", "旭川市", "0700031", "一条通"),
    ("北海道", "網走市", "0930013", "南三条西"),
    ("北海道", "帯広市", "0800010", "大通南"),
    ("北海道", "釧路市", "0850015", "北大通"),
    ("東京都", "世田谷区", "1540015", "桜新町"),
    ("東京都", "新宿区", "1600022", "新宿"),
    ("神奈川県", "横浜市中区", "2310023", "山下町"),
    ("宮城県", "仙台市青葉区", "9800811", "一番町"),
    ("大阪府", "大阪市北区", "5300001", "梅田"),
    ("愛知県", "名古屋市中区", "4600008", "栄"),
    ("福岡県", "福岡市中央区", "8100001", "天神"),
    ("埼玉県", "さいたま市浦和区", "3300063", "高砂"),
    ("青森県", "青森市", "0300801", "新町"),
]

# (ISO, 国籍・地域, weight, surnames [(roman, kana)], given names by sex)
FOREIGN = [
    (
        "VN",
        "ベトナム",
        35,
        [("NGUYEN", "グエン"), ("TRAN", "チャン"), ("LE", "レ"), ("PHAM", "ファム")],
        {
            "1": [("VAN AN", "ヴァン\u3000アン"), ("MINH DUC", "ミン\u3000ドゥック")],
            "2": [("THI LAN", "ティ\u3000ラン"), ("THI HOA", "ティ\u3000ホア")],
        },
    ),
    (
        "CN",
        "中国",
        20,
        [("WANG", "ワン"), ("LI", "リ"), ("ZHANG", "チャン"), ("LIU", "リュウ")],
        {"1": [("WEI", "ウェイ"), ("HAO", "ハオ")], "2": [("FANG", "ファン"), ("JING", "ジン")]},
    ),
    (
        "PH",
        "フィリピン",
        15,
        [("SANTOS", "サントス"), ("REYES", "レイエス"), ("CRUZ", "クルス")],
        {
            "1": [("JOSE", "ホセ"), ("MARK", "マーク")],
            "2": [("MARIA", "マリア"), ("ANGELICA", "アンジェリカ")],
        },
    ),
    (
        "NP",
        "ネパール",
        8,
        [("GURUNG", "グルン"), ("SHRESTHA", "シュレスタ")],
        {"1": [("RAJ", "ラジ")], "2": [("SITA", "シタ")]},
    ),
    (
        "ID",
        "インドネシア",
        8,
        [("SETIAWAN", "セティアワン"), ("PUTRI", "プトゥリ")],
        {"1": [("BUDI", "ブディ")], "2": [("DEWI", "デウィ")]},
    ),
    (
        "US",
        "米国",  # the 国籍・地域 as the 在留カード writes it (core/data/countries.csv)
        6,
        [("SMITH", "スミス"), ("JOHNSON", "ジョンソン")],
        {"1": [("MICHAEL", "マイケル")], "2": [("EMILY", "エミリー")]},
    ),
    (
        "KR",
        "韓国",
        8,
        [("KIM", "キム"), ("LEE", "イ"), ("PARK", "パク")],
        {"1": [("MINJUN", "ミンジュン")], "2": [("SEOYEON", "ソヨン")]},
    ),
]
WORK_STATUSES = [
    ("技能実習", "1年", 1),
    ("特定技能", "1年", 1),
    ("留学", "2年", 2),
    ("技術・人文知識・国際業務", "3年", 3),
]
KANJI_DIGITS = "〇一二三四五六七八九"
CLASSIC_MALE = {
    "清",
    "茂",
    "実",
    "勇",
    "博",
    "昭",
    "正",
    "進",
    "稔",
    "修",
    "隆",
    "浩",
    "豊",
    "弘",
    "武",
    "勝",
}
BUILDINGS = ["コーポ", "ハイツ", "メゾン", "グランドール", "サンライズ", "レジデンス"]
# 続柄 -> (standard code of the MADO layout, situation relationship)
RELATIONSHIP_CODES = {
    "世帯主": "02",
    "夫": "11",
    "妻": "12",
    "子": "20",
    "父": "51",
    "母": "52",
    "兄": "71",
    "弟": "74",
    "姉": "81",
    "妹": "84",
    "縁故者": "96",
    "同居人": "99",
}
