"""Words people and other data sets use for our need codes, target groups, attributes and languages.

The codes and labels come from `directory/data/*.tsv`; the synonyms below are the other ways the
same thing is commonly written in Japanese municipal data (生活困窮 for money, DV for violence).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from tsunagari.directory.models import ATTRIBUTES, NEEDS, TARGETS
from tsunagari.directory.taxonomy import TAXONOMIES, read_terms

__all__ = ["Vocabulary", "attributes", "language_code", "needs", "targets"]

NEED_SYNONYMS: dict[str, tuple[str, ...]] = {
    "suicide": ("自殺", "自殺対策", "自死", "死にたい", "消えたい", "自傷"),
    "mental_health": (
        "こころ",
        "心",
        "こころの健康",
        "心の健康",
        "メンタル",
        "メンタルヘルス",
        "精神保健",
        "うつ",
        "不安",
        "ストレス",
    ),
    "loneliness": ("孤独", "孤立", "孤独・孤立", "さびしい", "寂しい", "話し相手"),
    "hikikomori": ("ひきこもり", "引きこもり", "引き籠もり"),
    "violence": ("DV", "暴力", "配偶者暴力", "ドメスティック・バイオレンス", "デートDV"),
    "child_abuse": ("虐待", "児童虐待", "子どもの虐待"),
    "sexual_violence": ("性暴力", "性被害", "性犯罪", "ストーカー"),
    "money": ("お金", "生活費", "生活困窮", "困窮", "生活保護", "給付", "貸付", "生活福祉資金"),
    "food": ("食料", "食べ物", "食事", "フードバンク", "子ども食堂", "食料支援"),
    "housing": ("住まい", "住居", "住宅", "家賃", "ホームレス", "住居確保給付金"),
    "debt": ("借金", "多重債務", "債務", "差し押さえ"),
    "work": ("仕事", "就労", "就職", "失業", "雇用"),
    "caregiving": ("介護", "介護者", "認知症"),
    "young_carer": ("ヤングケアラー",),
    "parenting": ("子育て", "育児", "保育", "子育て支援"),
    "pregnancy": ("妊娠", "出産", "妊娠・出産", "妊婦", "産前産後"),
    "children": ("子ども", "子供", "こども", "児童", "若者", "青少年"),
    "school": ("学校", "いじめ", "不登校", "就学", "教育"),
    "single_parent": ("ひとり親", "一人親", "母子家庭", "父子家庭", "ひとり親家庭"),
    "elderly": ("高齢者", "高齢", "シニア", "見守り"),
    "disability": ("障害", "障がい", "障碍", "発達障害", "障害者", "障がい者", "障害福祉"),
    "health": ("病気", "医療", "医療費", "健康", "けが"),
    "addiction": ("依存症", "アルコール", "ギャンブル", "薬物"),
    "lgbtq": ("LGBTQ", "LGBT", "性的マイノリティ", "性の多様性"),
    "foreign": ("外国人", "外国籍", "在留"),
    "women": ("女性",),
    "bereavement": ("死別", "遺族", "自死遺族"),
    "crime_victim": ("犯罪被害", "被害者支援", "犯罪被害者"),
    "disaster": ("災害", "被災", "被災者"),
    "legal": ("法律", "法律相談", "弁護士", "司法書士"),
    "community": ("居場所", "仲間", "サロン", "ボランティア", "つながり"),
    "unsure": ("総合相談", "よろず相談", "何でも相談", "わからない", "分からない"),
}

TARGET_SYNONYMS: dict[str, tuple[str, ...]] = {
    "children": ("子ども", "子供", "こども", "児童", "18歳未満"),
    "youth": ("若者", "青少年", "若年者"),
    "women": ("女性", "妊婦"),
    "elderly": ("高齢者", "シニア", "65歳以上"),
    "disability": ("障害者", "障がい者", "障がいのある方", "障害のある人"),
    "foreign": ("外国人", "外国籍の人", "外国にルーツのある人"),
    "single_parent": ("ひとり親", "母子家庭", "父子家庭"),
    "family": ("家族", "保護者", "支援者"),
    "anyone": ("誰でも", "だれでも", "どなたでも", "すべての人"),
}

ATTRIBUTE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "open_24h": ("24時間", "24時間対応", "24h"),
    "anonymous": ("匿名", "匿名OK", "匿名可", "匿名で相談できる"),
    "free": ("無料", "相談無料", "無料で相談できる"),
    "multilingual": ("多言語", "多言語対応", "外国語対応"),
    "no_reservation": ("予約不要", "予約なし", "予約なしでOK"),
}

LANGUAGES: dict[str, str] = {
    "日本語": "ja",
    "やさしい日本語": "ja",
    "英語": "en",
    "中国語": "zh",
    "簡体字": "zh-Hans",
    "繁体字": "zh-Hant",
    "韓国語": "ko",
    "朝鮮語": "ko",
    "韓国・朝鮮語": "ko",
    "ベトナム語": "vi",
    "ポルトガル語": "pt",
    "スペイン語": "es",
    "タガログ語": "tl",
    "フィリピン語": "fil",
    "ネパール語": "ne",
    "インドネシア語": "id",
    "タイ語": "th",
    "ミャンマー語": "my",
    "ロシア語": "ru",
    "ウクライナ語": "uk",
    "フランス語": "fr",
    "ドイツ語": "de",
    "モンゴル語": "mn",
    "ベンガル語": "bn",
    "ヒンディー語": "hi",
    "ウルドゥー語": "ur",
    "シンハラ語": "si",
    "アラビア語": "ar",
    "ペルシャ語": "fa",
    "トルコ語": "tr",
    "クメール語": "km",
}
_BCP47 = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _key(word: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", word)).lower()


class Vocabulary:
    """One taxonomy's codes, reachable by code, Japanese label or synonym."""

    def __init__(
        self, taxonomy_id: str, synonyms: dict[str, tuple[str, ...]], example_codes: tuple[str, ...] = ()
    ) -> None:
        _name, _description, filename = TAXONOMIES[taxonomy_id]
        rows = read_terms(filename)
        self.codes = [row["code"] for row in rows]
        self.example_codes = example_codes or tuple(self.codes[:3])
        self.labels = {row["code"]: row["label_ja"] for row in rows}
        self._exact: dict[str, str] = {}
        for row in rows:
            self._exact[_key(row["code"])] = row["code"]
            self._exact[_key(row["label_ja"])] = row["code"]
        for code, words in synonyms.items():
            assert code in self.labels, f"{code} is not a {taxonomy_id} code"
            for word in words:
                self._exact.setdefault(_key(word), code)
        # Longest words first, so that 自死遺族 is found as bereavement before 自死 as suicide.
        self._words = sorted(self._exact.items(), key=lambda kv: -len(kv[0]))

    def lookup(self, word: str) -> str | None:
        """The code a person meant by `word` (a code, a label or a synonym), or None."""
        return self._exact.get(_key(word))

    def find_in(self, phrase: str) -> list[str]:
        """Every code whose word appears in a free phrase such as 「ひとり親家庭医療費助成」."""
        key = _key(phrase)
        found: list[str] = []
        for word, code in self._words:
            if len(word) >= 2 and word in key and code not in found:
                found.append(code)
                key = key.replace(word, "\x00")
        return found

    def examples(self) -> str:
        """A few codes with their labels, for messages: 「food（食べるものがない）、…」."""
        return "、".join(f"{code}（{self.labels[code]}）" for code in self.example_codes)


@cache
def needs() -> Vocabulary:
    return Vocabulary(NEEDS, NEED_SYNONYMS, ("food", "money", "loneliness"))


@cache
def targets() -> Vocabulary:
    return Vocabulary(TARGETS, TARGET_SYNONYMS, ("children", "elderly", "anyone"))


@cache
def attributes() -> Vocabulary:
    return Vocabulary(ATTRIBUTES, ATTRIBUTE_SYNONYMS, ("free", "anonymous", "open_24h"))


def language_code(word: str) -> str | None:
    """A BCP 47 code from 「英語」 or "en"; None when it is neither."""
    folded = unicodedata.normalize("NFKC", word).strip()
    if folded in LANGUAGES:
        return LANGUAGES[folded]
    return folded if _BCP47.fullmatch(folded) else None
