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
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal

from sudachipy import Dictionary, SplitMode, Tokenizer

from .lexicon import CRISIS_KINDS, Concept, CrisisKind, default_concepts, need_codes
from .places import Place, find_place

__all__ = [
    "AgeGroup",
    "Asker",
    "CompiledLexicon",
    "CrisisKind",
    "Evidence",
    "Understanding",
    "compile_lexicon",
    "default_lexicon",
    "understand",
]

Asker = Literal["self", "family", "professional", "unknown"]
AgeGroup = Literal["child", "youth", "adult", "elderly", "unknown"]
Via = Literal["lemma", "surface", "reading", "words", "gap", "rule"]

UNSURE = "unsure"
CRISIS = "crisis"
# What the fallback says when nothing matched: 総合相談 is still a real answer, but a weak one.
_FALLBACK_SCORE = 0.1
# A negated risk phrase (死にたくはないけど…) is not a crisis, but it is not nothing either.
_NEGATED_RISK_HINT = ("mental_health", 0.4)
# How far apart the two halves of a 夫~殴る form may be, in characters of the same sentence.
_GAP_CHARS = 20
# Order of precedence when several kinds of crisis are present: a child cannot protect itself.
_KIND_ORDER: tuple[CrisisKind, ...] = ("child", "suicide", "violence")
# Needs that do not explain away a weak risk signal: they are part of the same picture.
_SAME_PICTURE = frozenset({"suicide", "mental_health", "loneliness", "unsure", "foreign"})
# Hiragana-only typing and phone keyboards: ぃ for い, and ー or 〜 to stretch a word (つらーい).
_SMALL_KANA = str.maketrans("ぁぃぅぇぉ", "あいうえお")
_DROPPED_IN_FOLD = frozenset("ー〜~・")
_SENTENCE_BREAK = re.compile(r"[。．.！!？?\n]")
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
_HAS_KANJI_OR_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\u3400-\u4dbf々]")
_KANJI = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf々]")
_LATIN_FORM = re.compile(r"[A-Za-z0-9À-ɏ' .\-*]+")
_LATIN_WORD = re.compile(r"[a-z0-9']+")
# Sudachi refuses inputs over 49,149 bytes; 4,000 characters stay well below it in any script.
_CHUNK_CHARS = 4000

# Negation right after a phrase. The text is folded (hiragana), so only kanji stay as kanji.
# 1: after an adjective's く (死にたく, つらく): ない, はない, もない.
_NEGATED_AFTER_KU = re.compile(r"(?:は|も)?(?:ない|なかった|なく|ありません|ねえ|ねぇ|ねー)")
# 2: after a verb or auxiliary in kana: ない, ません, 関西の へん/ひん, ず.
_NEGATED_AFTER_KANA = re.compile(r"(?:ない|なかった|なく|ません|へん|ひん|ねえ|ねぇ|ず)")
# 3: わけじゃない / わけではない; 4: と(は)思わない, なんて考えてない (a short, same-sentence reach).
_NEGATED_ANY = re.compile(
    r"(?:わけ|訳)(?:じゃ|では|でも)(?:ない|なく|ありません|ねえ)"
    r"|(?:と|って|とは|とか|なんて|なんか)[^。．.！!？?\n、,]{0,6}?"
    r"(?:思|おも|考|かんが)(?:わ|え|って|ったことは|ったことも|ったこと)?[^。．.！!？?\n、,]{0,3}?"
    r"(?:ない|なかった|ません|へん|ひん)"
)
# English and Portuguese put the negation before: "don't want to die", "não quero morrer".
_NEGATED_BEFORE_WORDS = re.compile(r"(?:\b(?:don'?t|do not|not|never|nao|won'?t)\s+(?:really\s+|ever\s+)?)$")
# Words used in Japanese as they are; a text of only these is not a foreign-language text.
_LOANED_ACRONYMS = frozenset(
    {"dv", "lgbt", "lgbtq", "lgbtq+", "adhd", "asd", "ld", "od", "sns", "npo", "line", "ok", "ng", "pc", "sos"}
)
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_PORTUGUESE_WORDS = frozenset(
    "não nao eu quero preciso ajuda dinheiro meu minha trabalho casa comida estou tenho sou morar "
    "marido emprego sozinho sozinha obrigado você voce fome doente".split()
)
_TAGALOG_WORDS = frozenset(
    "ako ng nang ko wala walang gusto hindi kailangan tulong pera sa po mamatay trabaho bahay pagkain "
    "asawa ang ako'y akong mga may".split()
)
# Characters simplified Chinese or Chinese syntax uses and Japanese does not.
_CHINESE_ONLY = re.compile(r"[们们没这吗呢么钱饭帮给对还为让说请谢你她沒這嗎麼錢飯幫給對還為讓說請謝妳个]|我(?![慢がが々])")
_AGE_NUMBER = re.compile(r"(\d{1,3})\s*(?:歳|才|さい)")
_AGE_DECADE = re.compile(r"(\d)0\s*(?:代|だい)")


# ---------------------------------------------------------------------------------------------
# The result


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


# ---------------------------------------------------------------------------------------------
# Text views: Sudachi tokens, the folded surface, the folded Latin words


_local = threading.local()
_dictionary_lock = threading.Lock()


@cache
def _dictionary() -> Dictionary:
    # The dictionary file is memory-mapped once per process; tokenizers are cheap views of it.
    with _dictionary_lock:
        return Dictionary(dict="core")


def _tokenizer() -> Tokenizer:
    # A Sudachi tokenizer keeps per-call state, so each thread gets its own, made on first use.
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _local.tokenizer = _dictionary().tokenizer(SplitMode.C)
    return tokenizer


def _fold_char(char: str) -> str:
    if char.isspace() or char in _DROPPED_IN_FOLD:
        return ""
    code = ord(char)
    if 0x30A1 <= code <= 0x30F6:
        char = chr(code - 0x60)
    lowered = char.lower()
    return (lowered if len(lowered) == 1 else char).translate(_SMALL_KANA)


def fold(text: str) -> str:
    """Text as the surface matcher sees it: hiragana for katakana, no spaces or ー, lower case."""
    return "".join(_fold_char(char) for char in text)


def _latin_char(char: str) -> str:
    # One character in, one out, so offsets stay those of the NFKC text.
    if char in "đĐ":
        return "d"
    if char in "’‘`´":
        return "'"
    base = unicodedata.normalize("NFD", char)[0]
    if base.isascii():
        return base.lower()
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def _latin_view(text: str) -> str:
    return "".join(_latin_char(char) for char in text)


@dataclass(frozen=True)
class _Token:
    key: str
    start: int
    end: int


@dataclass
class _Views:
    text: str
    folded: str
    # origin[i] is the index in `text` of folded[i]; at[j] is the first folded index at or after text[j].
    origin: list[int]
    at: list[int]
    latin: str
    tokens: list[_Token]


def _views(text: str) -> _Views:
    folded_chars: list[str] = []
    origin: list[int] = []
    at: list[int] = []
    for index, char in enumerate(text):
        at.append(len(folded_chars))
        for folded_char in _fold_char(char):
            folded_chars.append(folded_char)
            origin.append(index)
    at.append(len(folded_chars))
    return _Views(
        text=text,
        folded="".join(folded_chars),
        origin=origin,
        at=at,
        latin=_latin_view(text),
        tokens=list(_tokens(text)),
    )


def _tokens(text: str) -> Iterator[_Token]:
    tokenizer = _tokenizer()
    for offset, chunk in _chunks(text):
        for morpheme in tokenizer.tokenize(chunk):
            if morpheme.part_of_speech()[0] == "空白":
                continue
            key = fold(morpheme.normalized_form())
            if key:
                yield _Token(key=key, start=offset + morpheme.begin(), end=offset + morpheme.end())


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    # Sentences, packed up to the chunk size; a sentence longer than that is cut (at worst one word).
    start = 0
    while start < len(text):
        end = min(start + _CHUNK_CHARS, len(text))
        if end < len(text):
            breaks = [m.end() for m in _SENTENCE_BREAK.finditer(text, start, end)]
            if breaks:
                end = breaks[-1]
        yield start, text[start:end]
        start = end


# ---------------------------------------------------------------------------------------------
# The compiled lexicon


@dataclass(frozen=True)
class _Pattern:
    concept: int
    form: str
    # For a part of a gap form (A~B): which gap form, which part.
    gap: tuple[int, int] | None = None


@dataclass(frozen=True)
class _GapForm:
    concept: int
    form: str
    parts: tuple[int, ...]


class CompiledLexicon:
    """A lexicon made ready for matching: forms indexed by surface, lemma and word."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self.concepts: tuple[Concept, ...] = tuple(concepts)
        self.patterns: list[_Pattern] = []
        self.gap_forms: list[_GapForm] = []
        # Surface keys by their first two characters (one-character forms match by lemma only).
        self.surface: dict[str, list[tuple[str, int, Via]]] = defaultdict(list)
        # Lemma sequences by their first lemma.
        self.lemma: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        # Latin word patterns by the first three letters of their first word.
        self.words: dict[str, list[tuple[re.Pattern[str], int]]] = defaultdict(list)
        tokenizer = _tokenizer()
        for index, concept in enumerate(self.concepts):
            for form in concept.forms:
                if "~" in form:
                    gap_index = len(self.gap_forms)
                    parts = tuple(
                        self._add(index, part, tokenizer, gap=(gap_index, number))
                        for number, part in enumerate(form.split("~"))
                    )
                    self.gap_forms.append(_GapForm(concept=index, form=form, parts=parts))
                else:
                    self._add(index, form, tokenizer)

    def _add(self, concept: int, form: str, tokenizer: Tokenizer, gap: tuple[int, int] | None = None) -> int:
        pattern_id = len(self.patterns)
        # `=` marks a form matched by lemma only (short words that hide inside others: =金);
        # `!` one whose kana reading must not be used (地震 is じしん, and so is 自信).
        lemma_only = form.startswith("=")
        no_reading = form.startswith("!")
        text = unicodedata.normalize("NFKC", form.lstrip("=!")).strip()
        self.patterns.append(_Pattern(concept=concept, form=form, gap=gap))
        if _LATIN_FORM.fullmatch(text) and any(char.isalpha() for char in text):
            self._add_words(text, pattern_id)
            return pattern_id
        folded = fold(text)
        if len(folded) >= 2 and not lemma_only:
            self.surface[folded[:2]].append((folded, pattern_id, "surface"))
        if _HAS_KANJI_OR_KANA.search(text):
            morphemes = [m for m in tokenizer.tokenize(text) if m.part_of_speech()[0] != "空白"]
            lemmas = tuple(key for key in (fold(m.normalized_form()) for m in morphemes) if key)
            if lemmas:
                self.lemma[lemmas[0]].append((lemmas[1:], pattern_id))
            reading = fold("".join(m.reading_form() for m in morphemes))
            # Readings let hiragana-only text meet kanji forms; short ones (かね, いえ) would match
            # inside too many unrelated words, so only readings of three kana or more are used.
            if not (lemma_only or no_reading) and reading != folded and len(reading) >= 3 and _KANJI.search(text):
                self.surface[reading[:2]].append((reading, pattern_id, "reading"))
        return pattern_id

    def _add_words(self, text: str, pattern_id: int) -> None:
        folded = _latin_view(text).strip()
        wildcard = folded.endswith("*")
        words = folded.rstrip("*").split()
        body = r"\s+".join(re.escape(word).replace("'", "'?").replace(r"\-", r"[\s-]?") for word in words)
        if wildcard:
            body += "[a-z]*"
        regex = re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])")
        self.words[words[0].replace("'", "")[:3]].append((regex, pattern_id))


def compile_lexicon(concepts: Sequence[Concept]) -> CompiledLexicon:
    """A lexicon ready for `understand`, e.g. the project's plus a platform's own rows."""
    return CompiledLexicon(concepts)


_compile_lock = threading.Lock()


@cache
def _default_lexicon() -> CompiledLexicon:
    with _compile_lock:
        return CompiledLexicon(default_concepts())


def default_lexicon() -> CompiledLexicon:
    """The project's lexicon (data/lexicon.tsv), compiled once per process."""
    return _default_lexicon()


# ---------------------------------------------------------------------------------------------
# Matching


@dataclass(frozen=True)
class _Hit:
    pattern: int
    concept: int
    start: int
    end: int
    via: Via
    form: str
    contiguous: bool = True
    # For a gap hit, the spans of its parts (a neutral idiom over any part cancels it).
    parts: tuple[tuple[int, int], ...] = ()
    # A negated risk phrase hints at distress and never raises the alarm.
    negated: bool = False


def _match(lexicon: CompiledLexicon, views: _Views) -> list[_Hit]:
    raw: dict[tuple[int, int, int], _Hit] = {}

    def add(pattern_id: int, start: int, end: int, via: Via) -> None:
        key = (pattern_id, start, end)
        if key not in raw:
            pattern = lexicon.patterns[pattern_id]
            raw[key] = _Hit(pattern_id, pattern.concept, start, end, via, pattern.form)

    tokens = views.tokens
    for i, token in enumerate(tokens):
        for rest, pattern_id in lexicon.lemma.get(token.key, ()):
            end = i + 1 + len(rest)
            if end <= len(tokens) and all(tokens[i + 1 + k].key == lemma for k, lemma in enumerate(rest)):
                add(pattern_id, token.start, tokens[end - 1].end, "lemma")

    folded = views.folded
    for i in range(len(folded) - 1):
        for key, pattern_id, via in lexicon.surface.get(folded[i : i + 2], ()):
            if folded.startswith(key, i):
                add(pattern_id, views.origin[i], views.origin[i + len(key) - 1] + 1, via)

    latin = views.latin
    prefixes = {word.replace("'", "")[:3] for word in _LATIN_WORD.findall(latin)}
    for prefix in prefixes:
        for regex, pattern_id in lexicon.words.get(prefix, ()):
            for found in regex.finditer(latin):
                add(pattern_id, found.start(), found.end(), "words")

    hits = [hit for hit in raw.values() if lexicon.patterns[hit.pattern].gap is None]
    hits.extend(_gap_hits(lexicon, views, raw.values()))
    return hits


def _gap_hits(lexicon: CompiledLexicon, views: _Views, hits: Iterator[_Hit] | Any) -> list[_Hit]:
    by_part: dict[tuple[int, int], list[_Hit]] = defaultdict(list)
    for hit in hits:
        gap = lexicon.patterns[hit.pattern].gap
        if gap is not None:
            by_part[gap].append(hit)
    if not by_part:
        return []
    found: list[_Hit] = []
    for gap_index in {gap for gap, _ in by_part}:
        gap_form = lexicon.gap_forms[gap_index]
        chains: list[list[_Hit]] = [[hit] for hit in by_part.get((gap_index, 0), ())]
        for number in range(1, len(gap_form.parts)):
            following = by_part.get((gap_index, number), ())
            chains = [
                [*chain, nxt]
                for chain in chains
                for nxt in following
                if 0 <= nxt.start - chain[-1].end <= _GAP_CHARS
                and not _SENTENCE_BREAK.search(views.text, chain[-1].end, nxt.start)
            ]
        for chain in chains:
            found.append(
                _Hit(
                    pattern=chain[-1].pattern,
                    concept=gap_form.concept,
                    start=chain[0].start,
                    end=chain[-1].end,
                    via="gap",
                    form=gap_form.form,
                    contiguous=False,
                    parts=tuple((hit.start, hit.end) for hit in chain),
                )
            )
    return found


def _negated(views: _Views, hit: _Hit, lexicon: CompiledLexicon) -> str:
    """The words that negate a hit (empty when it is not negated)."""
    if hit.via == "words":
        before = views.latin[max(0, hit.start - 20) : hit.start]
        found = _NEGATED_BEFORE_WORDS.search(before)
        # Only risk phrases: "no money" is a need, "not suicidal" is not a crisis.
        if found and lexicon.concepts[hit.concept].crisis is not None:
            return found.group(0).strip()
        return ""
    position = views.at[hit.end]
    after = views.folded[position : position + 24]
    last = views.folded[views.at[hit.end] - 1] if position > 0 else ""
    for regex, applies in (
        (_NEGATED_AFTER_KU, last == "く"),
        (_NEGATED_AFTER_KANA, bool(_KANA.match(last)) and last not in "いくしっ"),
        (_NEGATED_ANY, True),
    ):
        if applies:
            found = regex.match(after)
            if found:
                return found.group(0)
    return ""


# ---------------------------------------------------------------------------------------------
# Putting it together


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
    views = _views(normalized)
    hits = _match(lexicon, views)
    ignored: list[Evidence] = []
    live = _resolve(lexicon, views, hits, ignored)

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
            # A concept counts once however often it is said; more *different* concepts add up.
            already = any(item.concept == concept.id for item in tally.evidence.get(need, ()))
            tally.add(need, 0.0 if already else weight, _evidence(concept, hit, normalized, weight))

    language = _language(normalized, views)
    age_group, age_evidence = _age_group(lexicon, live, normalized)
    asker = _asker(lexicon, live, tally)
    crisis_kinds, crisis_evidence = _decide_crisis(lexicon, live, tally, normalized, ignored)
    _apply_rules(tally, language, age_group, age_evidence, asker)
    if "violence" in crisis_kinds and age_group == "child" and asker != "family":
        # Hit by a parent at fourteen is a child in danger, whose lines are 189 and 児童相談所.
        crisis_kinds = ("child", *(kind for kind in crisis_kinds if kind != "child"))
        crisis_evidence.append(_rule_evidence("rule.child_victim", age_evidence, "violence against a minor"))
    if "child" in crisis_kinds and "child_abuse" not in tally.scores:
        tally.add("child_abuse", 0.8, _rule_evidence("rule.child_victim", age_evidence, "a child in danger"))

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


def _evidence(concept: Concept, hit: _Hit, text: str, weight: float, note: str = "") -> Evidence:
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


def _resolve(lexicon: CompiledLexicon, views: _Views, hits: list[_Hit], ignored: list[Evidence]) -> list[_Hit]:
    """The hits that count: not swallowed by a longer phrase, not negated."""
    concepts = lexicon.concepts
    text = views.text

    def is_hint_only(hit: _Hit) -> bool:
        concept = concepts[hit.concept]
        return concept.hint is not None and not concept.needs and concept.crisis is None

    containers = [hit for hit in hits if hit.contiguous and not is_hint_only(hit)]
    neutrals = [hit for hit in containers if concepts[hit.concept].neutral]
    live: list[_Hit] = []
    for hit in hits:
        concept = concepts[hit.concept]
        if is_hint_only(hit):
            live.append(hit)
            continue
        if hit.contiguous:
            spans = [(hit.start, hit.end)]
            pool = containers
        else:
            # A gap form is cancelled by an idiom over any of its parts (親に殺される笑).
            spans = list(hit.parts)
            pool = neutrals
        swallower = next(
            (
                other
                for other in pool
                for start, end in spans
                if other.concept != hit.concept
                and other.start <= start
                and end <= other.end
                and other.end - other.start > end - start
            ),
            None,
        )
        if swallower is not None:
            if not concept.neutral:
                inside = concepts[swallower.concept]
                note = f"inside 「{text[swallower.start : swallower.end]}」 ({inside.id})"
                ignored.append(_evidence(concept, hit, text, 0.0, note))
            continue
        if concept.neutral:
            ignored.append(_evidence(concept, hit, text, 0.0, "idiom: the words inside it are not counted"))
            continue
        negation = _negated(views, hit, lexicon)
        if negation:
            ignored.append(_evidence(concept, hit, text, 0.0, f"negated by 「{negation}」"))
            if concept.crisis is not None:
                live.append(replace(hit, negated=True))
            continue
        live.append(hit)
    return live


def _decide_crisis(
    lexicon: CompiledLexicon, live: list[_Hit], tally: _Tally, text: str, ignored: list[Evidence]
) -> tuple[tuple[CrisisKind, ...], list[Evidence]]:
    """The crisis kinds present, most urgent first, and the evidence for them."""
    strong: list[tuple[CrisisKind, Evidence]] = []
    weak: list[tuple[CrisisKind, Evidence]] = []
    for hit in live:
        concept = lexicon.concepts[hit.concept]
        if hit.negated or concept.crisis is None:
            continue
        (weak if concept.weak else strong).append((concept.crisis, _evidence(concept, hit, text, 1.0)))
    chosen = list(strong)
    if weak:
        weak_concepts = {evidence.concept for _, evidence in weak}
        explanations = sorted(
            need for need, score in tally.scores.items() if score > 0 and need not in _SAME_PICTURE
        )
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
                ignored.append(replace(evidence, weight=0.0, note=f"weak signal explained by {', '.join(explanations)}"))
    kinds = tuple(kind for kind in _KIND_ORDER if any(found == kind for found, _ in chosen))
    return kinds, [evidence for _, evidence in chosen]


def _language(text: str, views: _Views) -> str:
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
    words = [word for word in _LATIN_WORD.findall(views.latin) if any(char.isalpha() for char in word)]
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


def _age_from_number(years: int) -> AgeGroup:
    if years < 18:
        return "child"
    if years < 40:
        return "youth"
    if years < 60:
        return "adult"
    return "elderly"


def _age_group(lexicon: CompiledLexicon, live: list[_Hit], text: str) -> tuple[AgeGroup, list[Evidence]]:
    """The age group of the person the text is about, with the words that say so.

    When several are named (祖母の介護をしている中学生), the younger wins: a young person's own
    words about their family are more often the point than the family member's age.
    """
    found: dict[AgeGroup, list[Evidence]] = defaultdict(list)
    for hit in live:
        concept = lexicon.concepts[hit.concept]
        if concept.hint is not None and concept.hint[0] == "age" and not hit.negated:
            group: AgeGroup = concept.hint[1]  # type: ignore[assignment]
            found[group].append(_evidence(concept, hit, text, 0.0))
    for regex, unit in ((_AGE_NUMBER, 1), (_AGE_DECADE, 10)):
        for match in regex.finditer(text):
            years = int(match.group(1)) * unit
            if unit == 10 and years == 10:
                group = "child"
            else:
                group = _age_from_number(years)
            found[group].append(
                Evidence(
                    concept="rule.age",
                    matched=match.group(0),
                    start=match.start(),
                    end=match.end(),
                    form=match.group(0),
                    via="rule",
                )
            )
    for group in _AGE_ORDER:
        if found.get(group):
            return group, found[group]
    return "unknown", []


def _asker(lexicon: CompiledLexicon, live: list[_Hit], tally: _Tally) -> Asker:
    """Who is asking: a professional, a family member about someone else, or the person themself."""
    hints = {lexicon.concepts[hit.concept].hint for hit in live}
    for asker in ("professional", "family", "self"):
        if ("asker", asker) in hints:
            return asker  # type: ignore[return-value]
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
    if age_group in ("child", "youth") and asker != "family":
        weight = 0.5 if age_group == "child" else 0.3
        tally.add("children", weight, replace(_rule_evidence("rule.young_person", age_evidence, "a young person"), weight=weight))
    caring = tally.scores.get("caregiving", 0) > 0
    if caring and age_group in ("child", "youth") and tally.scores.get("young_carer", 0) == 0:
        note = "a young person caring for family"
        tally.add("young_carer", 1.2, replace(_rule_evidence("rule.young_carer", age_evidence, note), weight=1.2))
    if age_group == "elderly":
        tally.add("elderly", 0.4, replace(_rule_evidence("rule.elderly", age_evidence, "an older person"), weight=0.4))
