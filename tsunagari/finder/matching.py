"""Matching a text against the compiled concept lexicon, and the longest-match and negation rules.

Every lexicon form is indexed three ways (lemma sequence, folded surface and kana reading, Latin
words); a text's hits are then resolved: a longer match swallows the shorter ones inside it (the
idiom 死ぬほど swallows 死ぬ, 自死遺族 swallows 自死), and a negation right after a phrase cancels it
(死にたくない, 死にたいわけじゃない, 死にたいとは思わない).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from sudachipy import Tokenizer

from .lexicon import Concept, default_concepts
from .text import SENTENCE_BREAK, TextViews, Token, fold, latin_view, lemma_keys, tokenizer

__all__ = ["CompiledLexicon", "Hit", "Via", "compile_lexicon", "default_lexicon", "find_hits", "resolve"]

Via = Literal["lemma", "surface", "reading", "words", "gap", "rule"]

# How far apart the two halves of a 夫~殴る form may be, in characters of the same sentence.
GAP_CHARS = 20
# Case particles people drop or swap in casual writing: お金がない, お金ない and お金はない are one.
_SOFT_PARTICLES = frozenset({"が", "を", "は"})
_PARTICLE_SWAPS = frozenset({"は", "も"})
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")
_HAS_KANJI_OR_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\u3400-\u4dbf々]")
_SINGLE_WORD_CHAR = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uac00-\ud7af]")
_ALL_HIRAGANA = re.compile(r"[\u3041-\u3096]+")
_KANJI = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf々]")
_LATIN_FORM = re.compile(r"[A-Za-z0-9À-ɏ' .\-*]+")
_LATIN_WORD = re.compile(r"[a-z0-9']+")

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


@dataclass(frozen=True)
class _Pattern:
    # The concept, or -1 for a part of gap forms (A~B): parts are shared by every form that uses them.
    concept: int
    form: str


@dataclass(frozen=True)
class _LemmaForm:
    pattern: int
    # Each word's key, and whether it is a particle people drop or swap (お金がない, お金ない, お金はない).
    slots: tuple[tuple[str, bool], ...]
    # When the form ends inflected (死ねたら, もう死のう) the text must end the same way, or
    # 死ねたら would match 死んだ: both are 死ぬ + た to the lemmatiser. Empty for open stems (殴られ).
    last_surface: str
    required: frozenset[str]


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
        self.gaps_by_first_part: dict[int, list[int]] = defaultdict(list)
        self._parts: dict[str, int] = {}
        # Surface keys by their first two characters (a one-kanji or one-hangul key by its only one).
        self.surface: dict[str, list[tuple[str, int, Via]]] = defaultdict(list)
        # Lemma forms by their first word.
        self.lemma: dict[str, list[_LemmaForm]] = defaultdict(list)
        # Latin word patterns by the first three letters of their first word.
        self.words: dict[str, list[tuple[re.Pattern[str], int]]] = defaultdict(list)
        sudachi = tokenizer()
        for index, concept in enumerate(self.concepts):
            for form in concept.forms:
                if "~" not in form:
                    self._add(index, form, sudachi)
                    continue
                parts = tuple(self._part(part, sudachi) for part in form.split("~"))
                self.gaps_by_first_part[parts[0]].append(len(self.gap_forms))
                self.gap_forms.append(_GapForm(concept=index, form=form, parts=parts))

    def _part(self, text: str, sudachi: Tokenizer) -> int:
        if text not in self._parts:
            self._parts[text] = self._add(-1, text, sudachi)
        return self._parts[text]

    def _add(self, concept: int, form: str, sudachi: Tokenizer) -> int:
        pattern_id = len(self.patterns)
        # `=` marks a form matched by lemma only (short words that hide inside others: =金);
        # `!` one whose kana reading must not be used (地震 is じしん, and so is 自信).
        lemma_only = form.startswith("=")
        no_reading = form.startswith("!")
        text = unicodedata.normalize("NFKC", form.lstrip("=!")).strip()
        self.patterns.append(_Pattern(concept=concept, form=form))
        if _LATIN_FORM.fullmatch(text) and any(char.isalpha() for char in text):
            self._add_words(text, pattern_id)
            return pattern_id
        folded = fold(text)
        # One kana says too little to find (し is in every other word); one kanji or hangul is a word.
        if not lemma_only and (len(folded) >= 2 or (len(folded) == 1 and _SINGLE_WORD_CHAR.match(folded))):
            self.surface[folded[:2]].append((folded, pattern_id, "surface"))
        if _HAS_KANJI_OR_KANA.search(text):
            morphemes = [m for m in sudachi.tokenize(text) if m.part_of_speech()[0] != "空白"]
            lemmas = tuple(key for m in morphemes for key in lemma_keys(m.normalized_form(), m.dictionary_form())[:1])
            if lemmas and len(lemmas) == len(morphemes):
                last = morphemes[-1]
                last_surface = fold(last.surface())
                # A stem (連用形: 殴られ, 引きこもっ) is written to match whatever follows it.
                open_ended = last.part_of_speech()[5].startswith("連用形")
                slots = tuple(
                    (key, 0 < number < len(lemmas) - 1 and key in _SOFT_PARTICLES) for number, key in enumerate(lemmas)
                )
                self.lemma[lemmas[0]].append(
                    _LemmaForm(
                        pattern=pattern_id,
                        slots=slots,
                        last_surface="" if open_ended or last_surface == fold(last.dictionary_form()) else last_surface,
                        required=frozenset(key for key, soft in slots if not soft),
                    )
                )
            reading = fold("".join(m.reading_form() for m in morphemes))
            # Readings let hiragana-only text meet kanji forms; short ones (かね, いえ) would match
            # inside too many unrelated words, so only readings of three kana or more are used.
            if not (lemma_only or no_reading) and reading != folded and len(reading) >= 3 and _KANJI.search(text):
                self.surface[reading[:2]].append((reading, pattern_id, "reading"))
        return pattern_id

    def _add_words(self, text: str, pattern_id: int) -> None:
        folded = latin_view(text).strip()
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
class Hit:
    """One place where a concept's form matched the text."""

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


def find_hits(lexicon: CompiledLexicon, views: TextViews) -> list[Hit]:
    """Every match of every form in a text, before the longest-match and negation rules."""
    hits: dict[tuple[int, int, int], Hit] = {}
    parts: dict[int, set[tuple[int, int]]] = defaultdict(set)

    def add(pattern_id: int, start: int, end: int, via: Via) -> None:
        pattern = lexicon.patterns[pattern_id]
        if pattern.concept < 0:
            # A part must begin a word: 殺す in 自殺する, 夫 in 工夫 and 子 in 様子 are other words.
            if start in views.word_starts:
                parts[pattern_id].add((start, end))
            return
        # One hit per concept and span, whichever of its forms found it first (lemma before surface).
        key = (pattern.concept, start, end)
        if key not in hits:
            hits[key] = Hit(pattern_id, pattern.concept, start, end, via, pattern.form)

    tokens = views.tokens
    present = {key for token in tokens for key in token.keys}
    for i, token in enumerate(tokens):
        for first in token.keys:
            for form in lexicon.lemma.get(first, ()):
                if form.required <= present:
                    end = _match_slots(form, tokens, i)
                    if end > i:
                        add(form.pattern, token.start, tokens[end - 1].end, "lemma")

    folded = views.folded
    surface = lexicon.surface
    for i in range(len(folded)):
        # Keys are indexed by their first two characters; one-character keys by their only one.
        for bucket in (surface.get(folded[i : i + 2]), surface.get(folded[i]) if i + 1 < len(folded) else None):
            for key, pattern_id, via in bucket or ():
                if not folded.startswith(key, i):
                    continue
                start = views.origin[i]
                # A reading or a kana key found inside a longer word is some other word (おとうさん
                # holds とうさん, 倒産); kanji keys are safe inside compounds (介護 in 介護離職).
                if (via == "reading" or _ALL_HIRAGANA.fullmatch(key)) and start not in views.word_starts:
                    continue
                add(pattern_id, start, views.origin[i + len(key) - 1] + 1, via)

    latin = views.latin
    prefixes = {word.replace("'", "")[:3] for word in _LATIN_WORD.findall(latin)}
    for prefix in prefixes:
        for regex, pattern_id in lexicon.words.get(prefix, ()):
            for found in regex.finditer(latin):
                add(pattern_id, found.start(), found.end(), "words")

    return [*hits.values(), *_gap_hits(lexicon, views, parts)]


def _match_slots(form: _LemmaForm, tokens: list[Token], start: int) -> int:
    """Where a lemma form that begins at tokens[start] ends (exclusive), or -1."""
    slots = form.slots

    def walk(slot: int, at: int) -> int:
        if slot == len(slots):
            return at if not form.last_surface or tokens[at - 1].surface == form.last_surface else -1
        key, soft = slots[slot]
        if at < len(tokens):
            keys = tokens[at].keys
            if key in keys or (soft and keys[0] in _PARTICLE_SWAPS):
                end = walk(slot + 1, at + 1)
                if end >= 0:
                    return end
        return walk(slot + 1, at) if soft else -1

    return walk(0, start)


def _gap_hits(lexicon: CompiledLexicon, views: TextViews, parts: dict[int, set[tuple[int, int]]]) -> list[Hit]:
    """Hits of A~B forms: each part found, in order, in the same sentence, close enough."""
    found: dict[tuple[int, int, int], Hit] = {}
    for first_part, first_spans in parts.items():
        for gap_index in lexicon.gaps_by_first_part.get(first_part, ()):
            gap_form = lexicon.gap_forms[gap_index]
            chains: list[tuple[tuple[int, int], ...]] = [(span,) for span in sorted(first_spans)]
            for part in gap_form.parts[1:]:
                following = sorted(parts.get(part, ()))
                chains = [
                    (*chain, nxt)
                    for chain in chains
                    for nxt in following
                    if 0 <= nxt[0] - chain[-1][1] <= GAP_CHARS
                    and not SENTENCE_BREAK.search(views.text, chain[-1][1], nxt[0])
                ]
                if not chains:
                    break
            for chain in chains:
                key = (gap_form.concept, chain[0][0], chain[-1][1])
                if key not in found:
                    found[key] = Hit(
                        pattern=gap_form.parts[-1],
                        concept=gap_form.concept,
                        start=chain[0][0],
                        end=chain[-1][1],
                        via="gap",
                        form=gap_form.form,
                        contiguous=False,
                        parts=chain,
                    )
    return list(found.values())


def _negated(views: TextViews, hit: Hit, lexicon: CompiledLexicon) -> str:
    """The words that negate a hit (empty when it is not negated)."""
    if hit.via == "words":
        before = views.latin[max(0, hit.start - 20) : hit.start]
        found = _NEGATED_BEFORE_WORDS.search(before)
        # Only risk phrases: "no money" is a need, "not suicidal" is not a crisis.
        if found and lexicon.concepts[hit.concept].crisis is not None:
            return found.group(0).strip()
        return ""
    position = views.folded_at(hit.end)
    after = views.folded[position : position + 24]
    last = views.folded[position - 1] if position > 0 else ""
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


def resolve(lexicon: CompiledLexicon, views: TextViews, hits: list[Hit]) -> tuple[list[Hit], list[tuple[Hit, str]]]:
    """The hits that count (not swallowed by a longer phrase, not negated), and the others with why.

    A negated risk phrase is kept, marked `negated`: it hints at distress and never raises the alarm.
    """
    concepts = lexicon.concepts
    text = views.text

    def is_hint_only(hit: Hit) -> bool:
        concept = concepts[hit.concept]
        return concept.hint is not None and not concept.needs and concept.crisis is None

    containers: dict[int, list[Hit]] = defaultdict(list)
    for other in hits:
        if other.contiguous and not is_hint_only(other):
            containers[other.start].append(other)
    longest = max((other.end - other.start for group in containers.values() for other in group), default=0)

    def swallower_of(hit: Hit) -> Hit | None:
        """The longest-match rule: a longer contiguous match around this one wins.

        A gap form (親に~殴られ) is made of short parts that sit inside longer words by design, so
        only an idiom swallows it (親に殺される笑).
        """
        for start, end in hit.parts or ((hit.start, hit.end),):
            for position in range(max(0, end - longest), start + 1):
                for other in containers.get(position, ()):
                    if end > other.end or other.end - other.start <= end - start:
                        continue
                    if hit.contiguous or concepts[other.concept].neutral:
                        return other
        return None

    live: list[Hit] = []
    ignored: list[tuple[Hit, str]] = []
    for hit in hits:
        concept = concepts[hit.concept]
        if is_hint_only(hit):
            live.append(hit)
            continue
        swallower = swallower_of(hit)
        if swallower is not None:
            # A shorter form of the same concept inside a longer one is the same evidence, said once.
            if not concept.neutral and swallower.concept != hit.concept:
                inside = concepts[swallower.concept]
                note = f"inside 「{text[swallower.start : swallower.end]}」 ({inside.id})"
                ignored.append((hit, note))
            continue
        if concept.neutral:
            ignored.append((hit, "idiom: the words inside it are not counted"))
            continue
        negation = _negated(views, hit, lexicon)
        if negation:
            ignored.append((hit, f"negated by 「{negation}」"))
            if concept.crisis is not None:
                live.append(replace(hit, negated=True))
            continue
        live.append(hit)
    return live, ignored
