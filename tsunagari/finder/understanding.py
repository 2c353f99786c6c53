"""Understanding a resident's words: which needs, whether they are in danger, and why.

`understand("母の介護で仕事をやめるしかないかも")` returns the need codes best first, a crisis flag
with its kind, hints of who is asking, how old they are and where they live, and the evidence
for each conclusion (which lexicon concept, which words of the text), so staff can see why and
correct the lexicon (docs/finder.md).

How: the text is NFKC-normalised, then matched against the concept lexicon (data/lexicon.tsv)
three ways at once, because each alone misses something:

- lemmas from SudachiPy (mode C), so 死にたかった, 死にてえ and しにたい all meet 死にたい;
- the kana-folded surface (katakana → hiragana, small ぃ → い, ー and spaces dropped), for
  compounds Sudachi keeps whole and for hiragana-only text that Sudachi mis-segments; each
  lexicon form also matches by its kana reading, so おやのかいご finds 親の介護;
- whole words in a diacritic-folded view for English, Portuguese, Vietnamese and Tagalog.

Safety rules (docs/finder.md): a longer match swallows the shorter ones inside it, so the idiom
死ぬほど swallows 死ぬ and 自死遺族 swallows 自死; a negation right after a phrase (死にたくない,
死にたいわけじゃない, 死にたいとは思わない) cancels it; weak signals (もう疲れた, 楽になりたい) raise
the alarm only when nothing else explains them or another risk signal comes with them.

Nothing here touches Django or the database, and nothing is downloaded: Sudachi's dictionary
ships inside the sudachidict-core wheel.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .lexicon import Concept, CrisisKind, need_codes
from .matching import CompiledLexicon, Hit, Via, compile_lexicon, default_lexicon, find_hits, resolve
from .places import Place, find_place
from .text import views

__all__ = [
    "AgeGroup",
    "Asker",
    "CompiledLexicon",
    "CrisisKind",
    "Evidence",
    "Understanding",
    "compile_lexicon",
    "default_lexicon",
    "search_needs",
    "understand",
]

Asker = Literal["self", "family", "professional", "unknown"]
AgeGroup = Literal["child", "youth", "adult", "elderly", "unknown"]

UNSURE = "unsure"
CRISIS = "crisis"
# What the fallback says when nothing matched: 総合相談 is still a real answer, but a weak one.
_FALLBACK_SCORE = 0.1
# A negated risk phrase (死にたくはないけど…) is not a crisis, but it is not nothing either.
_NEGATED_RISK_HINT = ("mental_health", 0.4)
# The same concept said again in other words counts a quarter more, at most twice.
_SAID_AGAIN = 0.25
_SAID_AGAIN_AT_MOST = 2
# A child in danger always brings the child-protection windows among the needs.
_CHILD_IN_DANGER = 0.8
# Order of precedence when several kinds of crisis are present: a body in danger now (an overdose
# taken) needs 119 before any talk; then a child, who cannot protect itself.
_KIND_ORDER: tuple[CrisisKind, ...] = ("emergency", "child", "suicide", "violence")
# After 飲んだ: ら (if I took) and り (took … and so on) say it has not happened.
_NOT_DONE = re.compile(r"[たっだ][らり]")
# Needs that do not explain away a weak risk signal: they are part of the same picture.
_SAME_PICTURE = frozenset({"suicide", "mental_health", "loneliness", "unsure", "foreign"})
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
_LATIN_WORD = re.compile(r"[a-z0-9']+")
# Words used in Japanese as they are; a text of only these is not a foreign-language text.
_LOANED_ACRONYMS = frozenset(
    {"dv", "lgbt", "lgbtq", "lgbtq+", "adhd", "asd", "ld", "od", "sns", "npo", "line", "ok", "ng", "pc", "sos"}
)
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# A few common words tell Portuguese and Tagalog from English (all three are typed without accents).
_PORTUGUESE_WORDS = _word_set(
    "não nao eu quero preciso ajuda dinheiro meu minha trabalho casa comida estou tenho sou morar "
    "marido emprego sozinho sozinha obrigado você voce fome doente"
)
_TAGALOG_WORDS = _word_set(
    "ako ng nang ko wala walang gusto hindi kailangan tulong pera sa po mamatay trabaho bahay pagkain "
    "asawa ang ako'y akong mga may"
)
# Characters simplified Chinese or Chinese syntax uses and Japanese does not.
_CHINESE_ONLY = re.compile(r"[们没这吗呢么钱饭帮给对还为让说请谢你她沒這嗎麼錢飯幫給對還為讓說請謝妳个]|我(?![慢が々])")
# 15歳, 七十八歳, 80代, 二十代: an age or a decade, in Arabic or kanji numerals.
_AGE = re.compile(r"(?<![\d〇一二三四五六七八九十百])(\d{1,3}|[〇一二三四五六七八九十百]{1,4})\s*(歳|才|さい|代|だい)")
# I'm 15, I am 16, aged 14, 15 years old, 13yo: an age in English.
_AGE_EN = re.compile(
    r"\b(?:i'?m|i am|aged?)\s+(\d{1,2})\b(?!\s*(?:%|yen|kg|cm|minutes|hours|days|weeks|months))"
    r"|\b(\d{1,2})\s*(?:years?[\s-]old|yrs?[\s-]old|yo|y/o)\b",
    re.IGNORECASE,
)
_KANJI_DIGITS = {char: value for value, char in enumerate("〇一二三四五六七八九")}


@dataclass(frozen=True)
class Evidence:
    """Why a need or the crisis flag was chosen (or, in `ignored`, why some words were not counted)."""

    concept: str
    # The words of the text that matched, as written after NFKC; start/end index that text.
    matched: str
    start: int
    end: int
    # The lexicon form that matched (for a rule, what the rule looked at).
    form: str
    via: Via
    weight: float = 0.0
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "concept": self.concept,
            "matched": self.matched,
            "start": self.start,
            "end": self.end,
            "form": self.form,
            "via": self.via,
            "weight": self.weight,
            "note": self.note,
        }


@dataclass(frozen=True)
class Understanding:
    """What the finder understood from one text, with the evidence for each conclusion."""

    # The text after NFKC normalisation: evidence offsets point into it.
    text: str
    # (need code, score in 0..1), best first; never empty (the fallback is `unsure`).
    needs: tuple[tuple[str, float], ...]
    crisis: bool
    crisis_kind: CrisisKind | None
    # Every kind present, most urgent first; crisis_kind is the first.
    crisis_kinds: tuple[CrisisKind, ...]
    asker: Asker
    age_group: AgeGroup
    place: Place | None
    # "ja", "en", "zh", "ko", "vi", "pt", "tl", "ne", or "und" when there is nothing to tell.
    language: str
    # Need code (and "crisis") → the evidence for it.
    evidence: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)
    # Words that were recognised and deliberately not counted: negated, idioms, swallowed.
    ignored: tuple[Evidence, ...] = ()

    def top(self, n: int = 3) -> list[str]:
        """The n best need codes."""
        return [code for code, _ in self.needs[:n]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the finder's command line and API use it)."""
        place = self.place
        return {
            "text": self.text,
            "needs": [{"code": code, "score": score} for code, score in self.needs],
            "crisis": self.crisis,
            "crisis_kind": self.crisis_kind,
            "crisis_kinds": list(self.crisis_kinds),
            "asker": self.asker,
            "age_group": self.age_group,
            "place": None
            if place is None
            else {
                "raw": place.raw,
                "name": place.full_name,
                "kind": place.kind,
                "postal_code": place.postal_code,
                "prefecture": place.prefecture,
                "start": place.start,
                "end": place.end,
            },
            "language": self.language,
            "evidence": {key: [item.to_dict() for item in items] for key, items in self.evidence.items()},
            "ignored": [item.to_dict() for item in self.ignored],
        }


@dataclass
class _Tally:
    scores: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    evidence: dict[str, list[Evidence]] = field(default_factory=lambda: defaultdict(list))

    def add(self, need: str, weight: float, evidence: Evidence) -> None:
        self.scores[need] += weight
        self.evidence[need].append(evidence)


def understand(text: str, *, lexicon: CompiledLexicon | None = None) -> Understanding:
    """What a resident's text says about their needs and safety, with the evidence."""
    lexicon = lexicon or default_lexicon()
    normalized = unicodedata.normalize("NFKC", text or "").strip()
    if not normalized:
        return Understanding(
            text="",
            needs=((UNSURE, _FALLBACK_SCORE),),
            crisis=False,
            crisis_kind=None,
            crisis_kinds=(),
            asker="unknown",
            age_group="unknown",
            place=None,
            language="und",
        )
    text_views = views(normalized)
    live, not_counted = resolve(lexicon, text_views, find_hits(lexicon, text_views))
    ignored = [_evidence(lexicon.concepts[hit.concept], hit, normalized, 0.0, note) for hit, note in not_counted]

    tally = _Tally()
    seen: set[tuple[int, str]] = set()
    for hit in live:
        concept = lexicon.concepts[hit.concept]
        if concept.hint is not None and not concept.needs:
            continue
        matched = normalized[hit.start : hit.end]
        if (hit.concept, matched) in seen:
            continue
        seen.add((hit.concept, matched))
        if hit.negated:
            need, weight = _NEGATED_RISK_HINT
            if need not in tally.scores:
                tally.add(need, weight, _evidence(concept, hit, normalized, weight, "negated risk phrase"))
            continue
        for need, weight in concept.needs:
            # Different concepts add up; the same concept said again in other words adds a little
            # (a long letter that keeps coming back to 介護 is about 介護), a few times at most.
            said = sum(item.concept == concept.id for item in tally.evidence.get(need, ()))
            counted = weight if not said else weight * _SAID_AGAIN if said <= _SAID_AGAIN_AT_MOST else 0.0
            tally.add(need, counted, _evidence(concept, hit, normalized, counted, "said again" if said else ""))

    language = _language(normalized, text_views.latin)
    age_group, age_evidence = _age_group(lexicon, live, normalized)
    asker = _asker(lexicon, live, tally)
    age_group, age_evidence = _adult_family(tally, normalized, age_group, age_evidence)
    crisis_kinds, crisis_evidence = _decide_crisis(lexicon, live, tally, normalized, ignored)
    _apply_rules(tally, language, age_group, age_evidence, asker)
    if "violence" in crisis_kinds and age_group == "child" and asker != "family":
        # Hit at fourteen is a child in danger, whose lines are 189 and the children's lines and whose
        # window is the 児童相談所 — not the adult DV lines or the 配偶者暴力相談支援センター.
        crisis_kinds = _in_order({*crisis_kinds, "child"} - {"violence"})
        crisis_evidence.append(_rule_evidence("rule.child_victim", age_evidence, "violence against a minor"))
        _move_need(tally, "violence", "child_abuse")
    if "emergency" in crisis_kinds and tally.scores.get("suicide", 0) > 0 and "suicide" not in crisis_kinds:
        # An overdose taken: 119 first, and the person is also at risk of suicide.
        crisis_kinds = _in_order({*crisis_kinds, "suicide"})
    if "child" in crisis_kinds and "child_abuse" not in tally.scores:
        basis = _rule_evidence("rule.child_victim", age_evidence, "a child in danger")
        tally.add("child_abuse", _CHILD_IN_DANGER, replace(basis, weight=_CHILD_IN_DANGER))

    order = {code: position for position, code in enumerate(need_codes())}
    ranked = sorted(
        ((need, raw) for need, raw in tally.scores.items() if raw > 0),
        key=lambda item: (-item[1], order.get(item[0], len(order))),
    )
    needs = tuple((need, round(1 - math.exp(-raw), 3)) for need, raw in ranked)
    evidence: dict[str, tuple[Evidence, ...]] = {need: tuple(tally.evidence[need]) for need, _ in ranked}
    if not needs:
        needs = ((UNSURE, _FALLBACK_SCORE),)
        evidence[UNSURE] = (
            Evidence(concept="rule.fallback", matched="", start=0, end=0, form="", via="rule", note="nothing matched"),
        )
    if crisis_kinds:
        evidence[CRISIS] = tuple(crisis_evidence)
    return Understanding(
        text=normalized,
        needs=needs,
        crisis=bool(crisis_kinds),
        crisis_kind=crisis_kinds[0] if crisis_kinds else None,
        crisis_kinds=crisis_kinds,
        asker=asker,
        age_group=age_group,
        place=find_place(normalized),
        language=language,
        evidence=evidence,
        ignored=tuple(ignored),
    )


def _in_order(kinds: set[CrisisKind]) -> tuple[CrisisKind, ...]:
    return tuple(kind for kind in _KIND_ORDER if kind in kinds)


def _move_need(tally: _Tally, source: str, target: str) -> None:
    """Count a need's score and evidence as another's (a child's violence is child abuse)."""
    if source not in tally.scores:
        return
    tally.scores[target] += tally.scores.pop(source)
    tally.evidence[target].extend(tally.evidence.pop(source, []))


def _evidence(concept: Concept, hit: Hit, text: str, weight: float, note: str = "") -> Evidence:
    return Evidence(
        concept=concept.id,
        matched=text[hit.start : hit.end],
        start=hit.start,
        end=hit.end,
        form=hit.form,
        via=hit.via,
        weight=weight,
        note=note,
    )


def _rule_evidence(rule: str, basis: Sequence[Evidence], note: str) -> Evidence:
    first = basis[0] if basis else None
    return Evidence(
        concept=rule,
        matched=first.matched if first else "",
        start=first.start if first else 0,
        end=first.end if first else 0,
        form=first.concept if first else "",
        via="rule",
        note=note,
    )


def _decide_crisis(
    lexicon: CompiledLexicon, live: list[Hit], tally: _Tally, text: str, ignored: list[Evidence]
) -> tuple[tuple[CrisisKind, ...], list[Evidence]]:
    """The crisis kinds present, most urgent first, and the evidence for them."""
    strong: list[tuple[CrisisKind, Evidence]] = []
    weak: list[tuple[CrisisKind, Evidence]] = []
    for hit in live:
        concept = lexicon.concepts[hit.concept]
        if hit.negated or concept.crisis is None:
            continue
        kind: CrisisKind = concept.crisis
        if kind == "emergency" and _NOT_DONE.search(text, max(0, hit.end - 2), hit.end + 1):
            # 薬を一気に飲んだら… is a thought of doing it, not an overdose taken: a suicide crisis.
            kind = "suicide"
        (weak if concept.weak else strong).append((kind, _evidence(concept, hit, text, 1.0)))
    chosen = list(strong)
    if weak:
        weak_concepts = {evidence.concept for _, evidence in weak}
        explanations = sorted(need for need, score in tally.scores.items() if score > 0 and need not in _SAME_PICTURE)
        if strong or len(weak_concepts) >= 2:
            note = "weak signal, with another risk signal"
        elif not explanations:
            note = "weak signal, and nothing else explains it"
        else:
            note = ""
        for kind, evidence in weak:
            if note:
                chosen.append((kind, replace(evidence, note=note)))
            else:
                ignored.append(
                    replace(evidence, weight=0.0, note=f"weak signal explained by {', '.join(explanations)}")
                )
    kinds = tuple(kind for kind in _KIND_ORDER if any(found == kind for found, _ in chosen))
    return kinds, [evidence for _, evidence in chosen]


def _language(text: str, latin: str) -> str:
    """The language of a text, roughly: enough to know it is not Japanese, and which it is."""
    if _KANA.search(text):
        return "ja"
    if re.search(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]", text):
        return "ko"
    if re.search(r"[\u0900-\u097f]", text):
        return "ne"
    if re.search(r"[\u4e00-\u9fff\u3400-\u4dbf]", text):
        # Kanji-only Japanese (生活保護申請) is common; Chinese gives itself away by its own characters.
        return "zh" if _CHINESE_ONLY.search(text) else "ja"
    words = [word for word in _LATIN_WORD.findall(latin) if any(char.isalpha() for char in word)]
    if not words or all(word in _LOANED_ACRONYMS for word in words):
        return "und"
    if _VIETNAMESE.search(text):
        return "vi"
    portuguese = sum(word in _PORTUGUESE_WORDS for word in words)
    tagalog = sum(word in _TAGALOG_WORDS for word in words)
    if portuguese or tagalog:
        return "pt" if portuguese >= tagalog else "tl"
    return "en"


_AGE_ORDER: tuple[AgeGroup, ...] = ("child", "youth", "elderly", "adult")
_AGE_GROUPS: dict[str, AgeGroup] = {group: group for group in _AGE_ORDER}
# When several are named, a professional writing about a family is still a professional.
_ASKER_ORDER: tuple[Asker, ...] = ("professional", "family", "self")


def _age_from_number(years: int) -> AgeGroup:
    if years < 18:
        return "child"
    if years < 40:
        return "youth"
    if years < 60:
        return "adult"
    return "elderly"


def _number(text: str) -> int | None:
    """15 or 十五 or 七十八 as an int (up to 199), None for anything else."""
    if text.isdigit():
        return int(text)
    hundreds, _, rest = text.rpartition("百")
    tens, ten, units = rest.rpartition("十")
    try:
        value = (_KANJI_DIGITS[hundreds] if hundreds else 1) * 100 if "百" in text else 0
        value += ((_KANJI_DIGITS[tens] if tens else 1) * 10) if ten else 0
        value += _KANJI_DIGITS[units] if units else 0
    except KeyError:
        return None
    return value or None


def _age_rule_evidence(match: re.Match[str]) -> Evidence:
    """The evidence of an age read by a rule (15歳, 10代, "I'm 15"), not by the lexicon."""
    form = match.group(0)
    return Evidence(concept="rule.age", matched=form, start=match.start(), end=match.end(), form=form, via="rule")


def _age_group(lexicon: CompiledLexicon, live: list[Hit], text: str) -> tuple[AgeGroup, list[Evidence]]:
    """The age group of the person the text is about, with the words that say so.

    When several are named (祖母の介護をしている中学生), the younger wins: a young person's own
    words about their family are more often the point than the family member's age.
    """
    found: dict[AgeGroup, list[Evidence]] = defaultdict(list)
    for hit in live:
        concept = lexicon.concepts[hit.concept]
        if concept.hint is not None and concept.hint[0] == "age" and not hit.negated:
            group = _AGE_GROUPS[concept.hint[1]]
            found[group].append(_evidence(concept, hit, text, 0.0))
    for match in _AGE.finditer(text):
        years = _number(match.group(1))
        decade = match.group(2) in ("代", "だい")
        if years is None or (decade and (years < 10 or years % 10)):
            continue
        # 10代 is a teenager, most often under 18.
        group = "child" if decade and years == 10 else _age_from_number(years)
        found[group].append(_age_rule_evidence(match))
    for match in _AGE_EN.finditer(text):
        group = _age_from_number(int(match.group(1) or match.group(2)))
        found[group].append(_age_rule_evidence(match))
    for group in _AGE_ORDER:
        if found.get(group):
            return group, found[group]
    return "unknown", []


# 10年, 十年, 何年も, 長年: how long something has lasted, in years.
_YEARS = re.compile(
    r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*年(?:間|以上|も|近く|目|ほど|くらい|ぐらい)?|何年も|長年|もう何年"
)
# Shut in this long, a son or daughter is an adult (ひきこもり is most often 20–50 years old).
_ADULT_AFTER_YEARS = 5


def _adult_family(
    tally: _Tally, text: str, age_group: AgeGroup, age_evidence: list[Evidence]
) -> tuple[AgeGroup, list[Evidence]]:
    """A son or daughter who is an adult is not a parenting or child-protection matter.

    息子が10年部屋から出てこない is an adult ひきこもり (the ひきこもり地域支援センター, not the
    児童相談所): with no age given, years of withdrawal say the person is an adult. With an adult
    age (30歳の息子), "my son" alone says nothing about parenting.
    """
    if age_group == "unknown" and tally.scores.get("hikikomori", 0) > 0:
        for match in _YEARS.finditer(text):
            years = _number(match.group(1)) if match.group(1) else _ADULT_AFTER_YEARS
            if years is not None and years >= _ADULT_AFTER_YEARS:
                age_group = "adult"
                age_evidence = [
                    Evidence(
                        concept="rule.adult_hikikomori",
                        matched=match.group(0),
                        start=match.start(),
                        end=match.end(),
                        form=match.group(0),
                        via="rule",
                        note="years of withdrawal: an adult",
                    )
                ]
                break
    if age_group in ("youth", "adult", "elderly"):
        for need in ("parenting", "children"):
            evidence = tally.evidence.get(need, [])
            if evidence and all(item.concept == "parenting.family_child" for item in evidence):
                tally.scores.pop(need, None)
                tally.evidence.pop(need, None)
    return age_group, age_evidence


def _asker(lexicon: CompiledLexicon, live: list[Hit], tally: _Tally) -> Asker:
    """Who is asking: a professional, a family member about someone else, or the person themself."""
    hints = {lexicon.concepts[hit.concept].hint for hit in live}
    for asker in _ASKER_ORDER:
        if ("asker", asker) in hints:
            return asker
    # Most people write about themselves without saying 私; with a need and no one else named, it is them.
    return "self" if tally.scores else "unknown"


def _apply_rules(tally: _Tally, language: str, age_group: AgeGroup, age_evidence: list[Evidence], asker: Asker) -> None:
    """Needs that follow from the whole picture rather than from one phrase."""
    if language not in ("ja", "und"):
        tally.add(
            "foreign",
            0.9,
            Evidence(
                concept="rule.language",
                matched="",
                start=0,
                end=0,
                form=language,
                via="rule",
                weight=0.9,
                note=f"written in {language}, not Japanese",
            ),
        )
    # A young person's own worry is also the 子ども・若者 windows' business; an adult's age alone is not a need.
    if (age_group == "child" or (age_group == "youth" and tally.scores)) and asker != "family":
        weight = 0.5 if age_group == "child" else 0.3
        tally.add(
            "children",
            weight,
            replace(_rule_evidence("rule.young_person", age_evidence, "a young person"), weight=weight),
        )
    caring = tally.scores.get("caregiving", 0) > 0
    if caring and age_group in ("child", "youth") and tally.scores.get("young_carer", 0) == 0:
        note = "a young person caring for family"
        tally.add("young_carer", 1.2, replace(_rule_evidence("rule.young_carer", age_evidence, note), weight=1.2))
    if age_group == "elderly":
        tally.add("elderly", 0.4, replace(_rule_evidence("rule.elderly", age_evidence, "an older person"), weight=0.4))


# A search looks under the needs the words clearly name: the first, and any as strong as half of it.
_SEARCH_NEEDS_AT_MOST = 3
_SEARCH_NEEDS_SHARE = 0.5


def search_needs(text: str, *, wider: bool = False, lexicon: CompiledLexicon | None = None) -> tuple[str, ...]:
    """The need codes a search for `text` should also look under (issue 9 item 6), best first.

    Only needs the lexicon found in the words themselves: never the `unsure` fallback, nor needs
    inferred by rules from age or language, which say who is asking rather than what about.
    `wider` adds the weaker ones too (いじめ: school, then children), for when the strong ones
    have no window.
    """
    understood = understand(text, lexicon=lexicon)
    if not understood.needs:
        return ()
    top_score = understood.needs[0][1]
    share = 0.0 if wider else _SEARCH_NEEDS_SHARE
    chosen: list[str] = []
    for code, score in understood.needs:
        if score < top_score * share or len(chosen) >= _SEARCH_NEEDS_AT_MOST:
            break
        if any(not item.concept.startswith("rule.") for item in understood.evidence.get(code, ())):
            chosen.append(code)
    return tuple(chosen)
