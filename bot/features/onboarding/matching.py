"""Suggested contacts: which members a newcomer should meet first, and why.

A pure algorithm (no I/O): the onboarding feature gives it the newcomer's profile and the profiles of the members
who may be suggested (present, charter accepted, not hidden), and gets back the best few with their reasons.

    score = shared interests  +  OFFER_NEED_WEIGHT x (what they offer that you look for
                                                     + what you offer that they look for)

Interests are tags (``"écologie, design; vélo"``) compared after normalisation (case, accents, spaces, a plural
``s``); offers and needs are free text compared keyword by keyword (stop words dropped, ``mentor`` meets
``mentoring``), and two words also meet when they say the same thing (:func:`concepts`): the same French or
English Snowball stem (``formation`` / ``formateur``), or the same group of the synonym table shipped as data
(``bot/content/synonyms.yaml``: ``mentorat`` / ``mentoring``, ``comptabilité`` / ``comptable``, ``avocat`` /
``lawyer``). Ties are broken by the caller's ``rank`` (lower first), then by key, so the same community
always gets the same suggestions. When fewer than ``at_least`` members share anything with the newcomer, other
newcomers (``recent``) fill the list: people who just arrived find their way better together.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import snowballstemmer
import yaml

from bot.content import CONTENT

__all__ = [
    "OFFER_NEED_WEIGHT",
    "PREPARED_VERSION",
    "SHARED_WEIGHT",
    "Candidate",
    "Suggestion",
    "concepts",
    "keywords",
    "normalize",
    "overlap",
    "prepare",
    "split_tags",
    "suggest",
    "tag_key",
]

SHARED_WEIGHT = 1.0
# Someone who offers exactly what you look for is worth more than a common interest.
OFFER_NEED_WEIGHT = 2.0

_SEPARATORS = re.compile(r"[,;\n\r]+")
_TOKEN = re.compile(r"[\w+#]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'"})

# Words that say nothing about what someone offers or needs, in French and English (already normalised).
STOP_WORDS = frozenset(
    """
    a an and any are as at be but by can could do does for from get have help how i if in into is it its just
    like look looking me more my need needs of offer offers on or other our out people some someone something
    such than that the their them then there these they this to too up us very want wanted we what when who
    will with would you your yours about also all am been being both each few into only own same so those
    seeking seek find finding share sharing give giving can't cannot
    au aux avec ce ces cette chez comme dans de des du elle elles en est et etre eux il ils je la le les leur
    leurs lui ma mais me mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
    tes toi ton tu un une vos votre vous y cherche cherchons recherche recherchons propose proposer besoin
    aide aider peux peut veux voudrais souhaite quelqu quelque quelques chose choses personne personnes
    autre autres tout tous toute toutes tres plus moins bien faire fais fait
    """.split()
)


def normalize(text: str) -> str:
    """Casefolded, accents stripped, spaces collapsed: ``"  Écologie  Urbaine"`` → ``"ecologie urbaine"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _stem(word: str) -> str:
    """A light, language-blind plural strip (``outils`` → ``outil``, ``tools`` → ``tool``)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tag_key(tag: str) -> str:
    """The form under which two tags are the same interest."""
    return " ".join(_stem(word) for word in _TOKEN.findall(normalize(tag)))


def split_tags(text: str) -> list[str]:
    """Tags as the member wrote them (trimmed, ``#`` dropped), split on commas, semicolons and new lines,
    without duplicates (the first spelling wins)."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in _SEPARATORS.split(text or ""):
        tag = " ".join(raw.strip().lstrip("#").split())
        key = tag_key(tag)
        if key and key not in seen:
            seen.add(key)
            out.append(tag)
    return out


def keywords(text: str) -> dict[str, str]:
    """The meaningful words of a free text: normalised stem → the word as written (first occurrence)."""
    out: dict[str, str] = {}
    original_words = _TOKEN.findall(unicodedata.normalize("NFC", text or ""))
    normalised_words = [normalize(word) for word in original_words]
    for original, word in zip(original_words, normalised_words, strict=True):
        word = word.strip("_")
        if len(word) < 2 or word.isdigit() or word in STOP_WORDS:
            continue
        out.setdefault(_stem(word), original)
    return out


# A stem stands for a word when it is long enough to mean something and drops only an ending (``designation``
# is not ``design``): the same bounds as for words that extend each other below.
_STEMMERS = (snowballstemmer.stemmer("french"), snowballstemmer.stemmer("english"))


def _stems(word: str) -> set[str]:
    """The French and English stems that may stand for ``word`` (normalised)."""
    return {
        stem
        for stemmer in _STEMMERS
        if len(stem := stemmer.stemWord(word)) >= _MIN_PREFIX and len(word) - len(stem) <= _MAX_EXTENSION
    }


def _forms(word: str) -> set[str]:
    return {word, _stem(word), *_stems(word)}


@cache
def _synonym_groups() -> dict[str, frozenset[int]]:
    """Each form of each word of the synonym table → the groups it belongs to (read once)."""
    data = yaml.safe_load((CONTENT / "synonyms.yaml").read_text(encoding="utf-8")) or []
    index: dict[str, set[int]] = {}
    for number, group in enumerate(data):
        for word in group:
            for token in _TOKEN.findall(normalize(str(word))):
                for form in _forms(token):
                    index.setdefault(form, set()).add(number)
    return {form: frozenset(groups) for form, groups in index.items()}


@cache
def concepts(word: str) -> frozenset[str]:
    """What a keyword (normalised, as :func:`keywords` gives it) means beyond its letters: its long enough
    stems (``~format`` for ``formation`` and ``formateur``) and its groups in the synonym table (``=0`` for
    ``mentorat`` and ``mentoring``). Two words sharing one say the same thing."""
    groups = _synonym_groups()
    found = {f"~{stem}" for stem in _stems(word)}
    for form in _forms(word):
        found.update(f"={number}" for number in groups.get(form, ()))
    return frozenset(found)


def _concept_index(words: Iterable[str]) -> dict[str, list[str]]:
    """Each concept of ``words`` → the words that have it."""
    out: dict[str, list[str]] = {}
    for word in words:
        for concept in concepts(word):
            out.setdefault(concept, []).append(word)
    return out


# Two words match when equal, or when one extends the other by a few letters (``design``/``designer``,
# ``mentor``/``mentoring``), the shorter having at least five.
_MIN_PREFIX = 5
_MAX_EXTENSION = 4


def _shorter_forms(words: Iterable[str]) -> dict[str, str]:
    """Each word under the shorter forms it extends (``designer`` under ``design`` and ``designe``), so that
    finding a word that extends another is a dictionary look-up rather than a scan."""
    out: dict[str, str] = {}
    for word in words:
        for size in range(max(_MIN_PREFIX, len(word) - _MAX_EXTENSION), len(word)):
            out.setdefault(word[:size], word)
    return out


def _find(
    stem: str,
    offered: dict[str, str],
    extending: Callable[[], dict[str, str]],
    meaning: Callable[[], dict[str, list[str]]],
) -> str | None:
    """The word of ``offered`` that matches ``stem`` (``extending()`` gives ``_shorter_forms(offered)``,
    ``meaning()`` gives ``_concept_index(offered)``)."""
    if stem in offered:
        return stem
    if len(stem) >= _MIN_PREFIX:
        for size in range(max(_MIN_PREFIX, len(stem) - _MAX_EXTENSION), len(stem)):
            if stem[:size] in offered:
                return stem[:size]
        found = extending().get(stem)
        if found is not None:
            return found
    index = meaning()
    for concept in sorted(concepts(stem)):
        if concept in index:
            return index[concept][0]
    return None


def _overlap(
    wanted: dict[str, str],
    offered: dict[str, str],
    extending: Callable[[], dict[str, str]],
    meaning: Callable[[], dict[str, list[str]]],
    *,
    spell_as_offered: bool = False,
) -> tuple[str, ...]:
    """The words of ``wanted`` that ``offered`` covers, in ``wanted``'s order, spelled as in ``wanted`` (or as in
    ``offered``)."""
    out: list[str] = []
    for stem, spelled in wanted.items():
        found = _find(stem, offered, extending, meaning)
        if found is not None:
            word = offered[found] if spell_as_offered else spelled
            if word not in out:
                out.append(word)
    return tuple(out)


def overlap(wanted: Mapping[str, str], offered: Mapping[str, str]) -> tuple[str, ...]:
    """The words of ``offered`` (as :func:`keywords` gives them) that meet a word of ``wanted``, spelled as in
    ``offered``, in ``wanted``'s order: what someone offers that answers a need, in their own words."""
    words = dict(offered)
    return _overlap(
        dict(wanted),
        words,
        lambda: _shorter_forms(words),
        lambda: _concept_index(words),
        spell_as_offered=True,
    )


def _covered_by(
    wanted: dict[str, str],
    wanted_shorter: dict[str, list[str]],
    offered: Iterable[str],
    wanted_meaning: dict[str, list[str]],
) -> tuple[str, ...]:
    """The same as ``_overlap(wanted, offered, ...)`` spelled as in ``wanted``, the other way round: each offered
    word costs a few look-ups in ``wanted`` and in ``wanted_shorter`` (the shorter forms each wanted word extends,
    built once for a newcomer), so no index is built for each of a community's members."""
    hit: set[str] = set()
    for word in offered:
        if word in wanted:
            hit.add(word)
        hit.update(wanted_shorter.get(word, ()))  # wanted words extending this one
        for size in range(max(_MIN_PREFIX, len(word) - _MAX_EXTENSION), len(word)):
            if word[:size] in wanted:  # this word extends a wanted one
                hit.add(word[:size])
        for concept in concepts(word):  # a word that says the same thing
            hit.update(wanted_meaning.get(concept, ()))
    return tuple(spelled for stem, spelled in wanted.items() if stem in hit) if hit else ()


# Bumped whenever normalisation or keyword extraction changes, so that stored ``prepare`` results are redone.
PREPARED_VERSION = 1


def prepare(interests: Iterable[str], offers: str, needs: str) -> dict[str, object]:
    """What matching needs from a profile, normalised: computed once when the profile is saved and stored with
    it, so scoring a community's members does not normalise their texts again for every newcomer."""
    keys: dict[str, str] = {}
    for tag in interests:
        keys.setdefault(tag_key(tag), tag)
    keys.pop("", None)
    return {
        "version": PREPARED_VERSION,
        "interests": keys,
        "offers": keywords(offers),
        "needs": keywords(needs),
    }


@dataclass(frozen=True)
class Candidate:
    """A member as matching sees them. ``key`` identifies them (their platform id), ``rank`` orders ties (lower
    first), ``recent`` marks a fellow newcomer who may fill a short list. ``prepared`` is what :func:`prepare`
    returned for their profile, if it was stored (then their texts are not normalised again)."""

    key: str
    name: str
    interests: Sequence[str] = ()
    offers: str = ""
    needs: str = ""
    rank: int = 0
    recent: bool = False
    prepared: Mapping[str, object] | None = field(default=None, repr=False, compare=False)
    _interest_keys: dict[str, str] = field(init=False, repr=False, compare=False)
    _offer_words: dict[str, str] = field(init=False, repr=False, compare=False)
    _need_words: dict[str, str] = field(init=False, repr=False, compare=False)
    _offer_forms: dict[str, str] | None = field(init=False, repr=False, compare=False)
    _need_forms: dict[str, list[str]] | None = field(init=False, repr=False, compare=False)
    _meanings: dict[str, dict[str, list[str]]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ready = self.prepared
        if not ready or ready.get("version") != PREPARED_VERSION:
            ready = prepare(self.interests, self.offers, self.needs)
        for attribute, name in (
            ("_interest_keys", "interests"),
            ("_offer_words", "offers"),
            ("_need_words", "needs"),
        ):
            value = ready.get(name)
            object.__setattr__(self, attribute, value if isinstance(value, dict) else {})
        # Built when first needed, for the newcomer only: the members compared with them need none.
        object.__setattr__(self, "_offer_forms", None)
        object.__setattr__(self, "_need_forms", None)
        object.__setattr__(self, "_meanings", {})

    def meaning(self, what: str) -> dict[str, list[str]]:
        """``_concept_index`` of what this member offers (``what="offers"``) or needs (``"needs"``), built once,
        when they are the newcomer."""
        if what not in self._meanings:
            words = self._offer_words if what == "offers" else self._need_words
            self._meanings[what] = _concept_index(words)
        return self._meanings[what]

    def offer_forms(self) -> dict[str, str]:
        """``_shorter_forms`` of what this member offers (built once, when they are the newcomer)."""
        if self._offer_forms is None:
            object.__setattr__(self, "_offer_forms", _shorter_forms(self._offer_words))
        assert self._offer_forms is not None
        return self._offer_forms

    def need_forms(self) -> dict[str, list[str]]:
        """The shorter forms each word of what this member needs extends (built once, when they are the
        newcomer): ``mentoring`` under ``mentor``, ``mentori``, ``mentorin``."""
        if self._need_forms is None:
            forms: dict[str, list[str]] = {}
            for word in self._need_words:
                for size in range(max(_MIN_PREFIX, len(word) - _MAX_EXTENSION), len(word)):
                    forms.setdefault(word[:size], []).append(word)
            object.__setattr__(self, "_need_forms", forms)
        assert self._need_forms is not None
        return self._need_forms


@dataclass(frozen=True)
class Suggestion:
    """A member to meet and why: ``shared`` interests, what ``they_offer`` that the newcomer looks for, what
    the newcomer offers that they look for (``you_offer``), or ``recent`` (another newcomer, nothing shared)."""

    key: str
    name: str
    score: float
    shared: tuple[str, ...] = ()
    they_offer: tuple[str, ...] = ()
    you_offer: tuple[str, ...] = ()
    recent: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "name": self.name,
            "score": self.score,
            "shared": list(self.shared),
            "they_offer": list(self.they_offer),
            "you_offer": list(self.you_offer),
            "recent": self.recent,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Suggestion:
        def strings(name: str) -> tuple[str, ...]:
            value = data.get(name) or ()
            return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

        score = data.get("score", 0.0)
        return cls(
            key=str(data["key"]),
            name=str(data.get("name", "")),
            score=float(score) if isinstance(score, int | float) else 0.0,
            shared=strings("shared"),
            they_offer=strings("they_offer"),
            you_offer=strings("you_offer"),
            recent=bool(data.get("recent", False)),
        )


def match(newcomer: Candidate, other: Candidate) -> Suggestion:
    """What ``newcomer`` and ``other`` have for each other (the reasons are spelled as the newcomer wrote them
    where both wrote something, so the "why" reads in their words)."""
    shared = tuple(tag for key, tag in newcomer._interest_keys.items() if key in other._interest_keys)
    they_offer = _covered_by(
        newcomer._need_words, newcomer.need_forms(), other._offer_words, newcomer.meaning("needs")
    )
    you_offer = _overlap(
        other._need_words,
        newcomer._offer_words,
        newcomer.offer_forms,
        lambda: newcomer.meaning("offers"),
        spell_as_offered=True,
    )
    score = SHARED_WEIGHT * len(shared) + OFFER_NEED_WEIGHT * (len(they_offer) + len(you_offer))
    return Suggestion(other.key, other.name, score, shared, they_offer, you_offer)


def suggest(
    newcomer: Candidate, candidates: Iterable[Candidate], *, limit: int = 3, at_least: int = 2
) -> list[Suggestion]:
    """The ``limit`` members ``newcomer`` should meet first, best first.

    Only members with something in common are suggested for a reason; if that makes fewer than ``at_least``,
    ``recent`` members (other newcomers) complete the list. Never the newcomer themself; a list shorter than
    asked (a young community) is fine, and an empty one too."""
    if limit <= 0:
        return []
    others = [c for c in candidates if c.key != newcomer.key]
    scored = [(s, other) for other in others if (s := match(newcomer, other)).score > 0]
    best = heapq.nsmallest(limit, scored, key=lambda pair: (-pair[0].score, pair[1].rank, pair[1].key))
    chosen = [suggestion for suggestion, _ in best]
    if len(chosen) < at_least:
        taken = {s.key for s in chosen}
        fellows = sorted(
            (c for c in others if c.recent and c.key not in taken), key=lambda c: (c.rank, c.key)
        )
        for fellow in fellows[: min(at_least, limit) - len(chosen)]:
            chosen.append(Suggestion(fellow.key, fellow.name, 0.0, recent=True))
    return chosen
