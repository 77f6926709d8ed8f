"""The deterministic support rule: numbers and names in a claim must occur in the cited text.

Numbers are compared by value, so "1,700", "1.700", "1700" and "1 700" match, and number
words in English and German count ("seven", "sieben" = 7). Names are checked only where
capitals mark them: in English claims against English passages. German capitalises every
noun, and a name's spelling changes across languages (Zelensky, Selenskyj), so there the
model judge decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["RuleResult", "check_rule", "links", "names", "numbers"]

_WORDS = {
    # "one"/"ein" are left out: as articles and pronouns they are rarely a stated quantity
    "zero": 0, "null": 0, "two": 2, "zwei": 2,
    "three": 3, "drei": 3, "four": 4, "vier": 4, "five": 5, "fünf": 5, "six": 6, "sechs": 6,
    "seven": 7, "sieben": 7, "eight": 8, "acht": 8, "nine": 9, "neun": 9, "ten": 10,
    "zehn": 10, "eleven": 11, "elf": 11, "twelve": 12, "zwölf": 12, "twenty": 20,
    "zwanzig": 20, "thirty": 30, "dreißig": 30, "forty": 40, "vierzig": 40, "fifty": 50,
    "fünfzig": 50, "hundred": 100, "hundert": 100, "thousand": 1000, "tausend": 1000,
    "dozens": 12, "dutzende": 12,
}  # fmt: skip
_SCALE = {"thousand": 1_000, "tausend": 1_000, "million": 1_000_000, "millionen": 1_000_000,
          "millions": 1_000_000, "mio": 1_000_000}  # fmt: skip
# thousands groups: 1,700 / 1.700 / 1 700 / 70.000
_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,\u202f ]\d{3})+(?![\d]|[.,]\d)")
_DECIMAL = re.compile(r"(?<![\d.,])\d+[.,]\d+(?![\d])")
_INTEGER = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# "one"/"ein" do count before a unit or scale word: "weniger als ein Prozent" states the 1
# that an answer writes as "less than 1%" (seed a38 was removed for that missing 1)
_ONE_UNITS = {"percent", "per", "prozent", "hundred", "hundert", "thousand", "tausend",
              "million", "millionen"}  # fmt: skip
_ONES = {"one", "ein", "eine", "einem", "einen", "einer", "eines"}


def numbers(text: str) -> set[float]:
    """Numeric values stated in the text, digits or number words, with scale words applied."""
    found: set[float] = set()
    rest = text
    for m in _GROUPED.finditer(text):
        found.add(float(re.sub(r"[.,\u202f ]", "", m.group(0))))
    rest = _GROUPED.sub(" ", rest)
    for m in _DECIMAL.finditer(rest):
        found.add(float(m.group(0).replace(",", ".")))
        # "1.5 million" and also the German reading of "1.500" without the group rule
    rest = _DECIMAL.sub(" ", rest)
    found.update(float(m.group(0)) for m in _INTEGER.finditer(rest))
    words = [w.casefold() for w in _WORD.findall(text)]
    for i, w in enumerate(words):
        if w in _WORDS:
            found.add(float(_WORDS[w]))
        if w in _ONES and i + 1 < len(words) and words[i + 1] in _ONE_UNITS:
            found.add(1.0)
            unit = words[i + 1]
            found.add(float(_SCALE.get(unit, _WORDS.get(unit, 1))))  # one thousand: 1000
        if w in _SCALE and i > 0:
            prev = words[i - 1]
            if prev in _WORDS:
                found.add(float(_WORDS[prev] * _SCALE[w]))
    # "1.5 million" → 1,500,000 as well as 1.5
    for m in re.finditer(
        r"(\d+(?:[.,]\d+)?)\s*(million|millionen|mio|thousand|tausend)", text, re.I
    ):
        found.add(float(m.group(1).replace(",", ".")) * _SCALE[m.group(2).casefold()])
    return found


_STOP_CAPS = {
    "The", "A", "An", "In", "On", "At", "According", "But", "And", "However", "This", "That",
    "It", "He", "She", "They", "We", "I", "There", "As", "For", "If", "When", "While", "After",
    "Before", "Since", "Also", "His", "Her", "Their", "Its", "Our", "One", "Another", "Some",
}  # fmt: skip


def names(text: str) -> set[str]:
    """Capitalised words that are not the first word of the sentence (English)."""
    out: set[str] = set()
    for m in re.finditer(r"(?<![\w'’])([A-Z][\w'’-]{2,})", text):
        word = m.group(1)
        before = text[: m.start()].rstrip()
        sentence_start = not before or before[-1] in '.!?:"“”(['
        if not sentence_start and word not in _STOP_CAPS:
            out.add(re.sub(r"['’]s$", "", word))
    return out


# words that may stand inside a spelled-out name without giving a letter to its acronym
_LINKS = {"of", "and", "the", "for", "on", "de", "der", "des", "die", "für", "und", "&"}
_TOKEN = re.compile(r"[^\W\d_]+|&", re.UNICODE)


def _initials(text: str) -> list[str]:
    """The initials of each run of capitalised words ("the American Broadcasting Company"
    -> "ABC", "North Atlantic Treaty Organization" -> "NATO"), link words skipped."""
    runs: list[str] = []
    current = ""
    for word in _TOKEN.findall(text):
        if word[0].isupper():
            current += word[0]
        elif word.casefold() not in _LINKS or not current:
            if current:
                runs.append(current)
            current = ""
    if current:
        runs.append(current)
    return runs


def _name_in(name: str, text: str) -> bool:
    # a 5-letter stem tolerates endings and spelling variants: Zaluzhny/Zaluzhnyi, Bakhmut's
    stem = name.casefold()[: max(4, min(5, len(name)))]
    if stem in text.casefold():
        return True
    # an acronym the text spells out: "ABC" for "the American Broadcasting Company"
    return name.isupper() and len(name) <= 6 and any(name in run for run in _initials(text))


_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|info|io|ru|de|"
    r"uk|example|xyz|top|biz)\b(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)


def links(text: str) -> set[str]:
    """URLs and domain names in the text, folded, without a trailing full stop."""
    return {m.group(0).rstrip(".,;:").casefold() for m in _LINK.finditer(text)}


# "70, 000": the model's tokens sometimes put a space into a thousands group it copies
# (seed a02, from "70.000"); read so, or as two numbers, whichever the cited text states
_SPACED_GROUP = re.compile(r"(?<![\d.,])(\d{1,3}), (?=\d{3}(?![\d]|[.,]\d))")


def _readings(claim: str) -> list[str]:
    joined = _SPACED_GROUP.sub(r"\1,", claim)
    return [claim] if joined == claim else [claim, joined]


@dataclass(frozen=True)
class RuleResult:
    ok: bool
    missing_numbers: tuple[str, ...]
    missing_names: tuple[str, ...]
    missing_links: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        parts = []
        if self.missing_numbers:
            parts.append("numbers not in the cited text: " + ", ".join(self.missing_numbers))
        if self.missing_names:
            parts.append("names not in the cited text: " + ", ".join(self.missing_names))
        if self.missing_links:
            parts.append("links not in the cited text: " + ", ".join(self.missing_links))
        return "; ".join(parts)


def _fmt(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def check_rule(
    claim: str,
    cited: str,
    claim_lang: str,
    cited_lang: str,
    *,
    titles: str = "",
    question: str = "",
) -> RuleResult:
    """``titles``: the titles of the cited documents. They count for names: a reader sees
    the title beside the quote, and documents name their subject there and call it "the
    city" or "the network" in the text. A title's numbers state nothing about the quote
    (a part number such as "(3)" in a SQuAD title), except where the ``question`` names the
    document by them: "Who is the license steward of the Mozilla Public License 2.0?"
    answered "The license steward of the Mozilla Public License 2.0 is the Mozilla
    Foundation" from a passage of "Mozilla Public License Version 2.0" that does not
    repeat the version, which the rule removed; an answer restates its question's subject."""
    have = numbers(cited) | (numbers(question) & numbers(titles))
    missing_numbers = min(
        (tuple(sorted(_fmt(v) for v in numbers(c) - have)) for c in _readings(claim)), key=len
    )
    missing_names: tuple[str, ...] = ()
    if claim_lang == "en" and cited_lang == "en":
        named = f"{titles}\n{cited}" if titles else cited
        missing_names = tuple(sorted(n for n in names(claim) if not _name_in(n, named)))
    # a link the answer shows must stand in its source, in any language: an invented or
    # injected address is the most harmful thing an answer can carry
    cited_folded = cited.casefold()
    missing_links = tuple(sorted(u for u in links(claim) if u not in cited_folded))
    ok = not missing_numbers and not missing_names and not missing_links
    return RuleResult(ok, missing_numbers, missing_names, missing_links)
