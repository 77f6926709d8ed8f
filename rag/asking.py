"""What kind of answer a question asks for, where words decide it without a model.

The number questions: their answer can be checked by rule (rag/rules.py reads digits
and number words in English and German), and the 1.5B model often answers them with a
supported sentence that holds no number at all ("Die Apokalypse von Bakhmut zeigt den
ganzen Wahnsinn dieses Krieges …" to "Wie viele Menschen lebten vor dem Krieg in
Bachmut?", seed i02). "When" and "how far" are left out: "in August", "to the west" are
right answers without a number; "what date" and "which month and year" are not.
"""

from __future__ import annotations

import re

from rag.rules import numbers
from rag.types import Answer

__all__ = [
    "asks_for_number",
    "asks_why",
    "gives_number",
    "gives_reason",
    "restates",
    "states_number",
]

# A measure asked by its name ("What key size …?", "Welche Schlüssellänge …?", German
# compounds included) is answered with a number too: without it, the sentence "Wählen Sie
# die gewünschte Schlüssellänge" was quoted as the answer to "What key size does the GnuPG
# help recommend?" (software su1, su6, P(yes) 0.80). "High" is left out: "how high is the
# risk" is answered "high".
_MEASURE = r"(?:size|length|height|width|depth|weight)"
_MEASURE_DE = r"\w*(?:länge|größe|breite|tiefe|gewicht)"
_NUMBER_QUESTION = re.compile(
    r"\bhow\s+(?:many|much|old|long|often|big|large|tall|wide|deep|heavy)\b"
    r"|\b(?:what|which)\s+(?:number|percentage|percent|share|proportion|ratio|fraction"
    r"|amount|year|date|(?:day|month)\s+and\s+year)\b"
    rf"|\b(?:what|which)\s+(?:(?:is|was|are|were)\s+the\s+)?(?:\w+\s+)?{_MEASURE}\b"
    r"|\bwie\s*viele?\b|\bwie\s+(?:alt|lange|oft|groß|breit|tief|schwer)\b"
    r"|\bwelche[mnrs]?\s+(?:zahl|anzahl|anteil|prozentsatz|jahr|verhältnis|datum"
    rf"|(?:tag|monat)\s+und\s+jahr|{_MEASURE_DE})\b"
    r"|\bin\s+welchem\s+(?:jahr|verhältnis|monat\s+und\s+jahr)\b",
    re.IGNORECASE,
)


def asks_for_number(question: str) -> bool:
    """True when the question's own words ask for a quantity, a share or a year."""
    return _NUMBER_QUESTION.search(" ".join(question.split())) is not None


# plural scale words state a quantity without a value: "thousands of Wagner mercenaries"
_VAGUE_QUANTITY = re.compile(
    r"\b(?:dozens|hundreds|thousands|millions|dutzende|hunderte|tausende|millionen)\b",
    re.IGNORECASE,
)


def states_number(text: str, asked: str = "") -> bool:
    """True when the text states a quantity: digits, a number word, or "thousands"; a
    number of the question (``asked``) does not count. An answer restates its question's
    subject, numbers and all: "Licensed under the Apache License, Version 2.0" holds no
    answer to "In which month and year was version 2.0 of the Apache License issued?"."""
    return bool(numbers(text) - numbers(asked)) or _VAGUE_QUANTITY.search(text) is not None


def gives_number(answer: Answer, asked: str = "") -> bool:
    """True when a shown sentence of the answer states a number ([n] markers are none)
    other than those of the question (``asked``)."""
    return states_number(" ".join(s.text for s in answer.sentences if s.kept), asked)


_WHY = re.compile(
    r"^\W*(?:why|how\s+come|for\s+what\s+reason|warum|weshalb|weswegen|wieso"
    r"|aus\s+welchem\s+grund)\b",
    re.IGNORECASE,
)
_REASON = re.compile(
    r"\b(?:because|since|due\s+to|owing\s+to|as\s+a\s+result|so\s+that|in\s+order\s+to"
    r"|reasons?|caused|led\s+to|weil|denn|wegen|aufgrund|deshalb|daher|darum|gründen?"
    r"|grund|damit|um\s+\w+(?:\s+\w+){0,6}\s+zu)\b",
    re.IGNORECASE,
)


def asks_why(question: str) -> bool:
    """True when the question asks for a reason ("Why …", "Warum …")."""
    return _WHY.search(question) is not None


def gives_reason(text: str) -> bool:
    """True when the text has a word that states a cause (because, due to, weil, wegen …).

    A weak test, used only where a sentence is quoted as the answer (rag/quoting.py): a
    false premise is most often a "why" question about something that did not happen, and
    a sentence about that event without any cause was the kind the model judge took for
    its answer (SQuAD pairs: "Why did Fresno's population fall to 494,665?" and the census
    sentence, P(yes) 0.80)."""
    return _REASON.search(text) is not None


# Words a restatement may add without saying anything: articles, forms of "be", "do" and
# "have", pronouns for the subject and the commonest prepositions. Everything else counts,
# down to "any" and "no" ("any price or no price" answers "What price may you charge?").
_EMPTY_WORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does",
    "did", "done", "has", "have", "had", "it", "its", "they", "them", "this", "that",
    "these", "those", "there", "here", "to", "of", "in", "on", "at", "by", "for", "with",
    "as", "so",
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
    "eines", "ist", "sind", "war", "waren", "wird", "werden", "wurde", "wurden", "hat",
    "haben", "hatte", "es", "sie", "er",
})  # fmt: skip
_TOKEN = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    # "doesn't" reads "does not", so a restatement is not new for its spelling
    return _TOKEN.findall(text.casefold().replace("’", "'").replace("n't", " not"))


def restates(sentence: str, asked: str) -> bool:
    """Whether the sentence adds no word to the question: "The first key must always be
    able to do." to "What must the first key always be able to do?". The passage holds
    the question's words, so the judge passes such a sentence; it answers nothing.
    Words are compared as written, not stemmed: "The NOTICE text file's attribution
    notices …" answers a question about "attribution notices" by its "NOTICE"."""
    known = set(_tokens(asked)) | _EMPTY_WORDS
    return all(w in known for w in _tokens(sentence))
