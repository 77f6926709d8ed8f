"""After the quote rater found nothing: the model copies the answer's words, and the
sentence of the evidence that holds them is quoted.

Asked for a full, cited sentence, the 1.5B model writes the cannot-answer phrase for
answers that stand in front of it, most often in records and lists ("what: hwclock --debug /
why: renamed to --verbose"), and the quote rater (rag/quoting.py) rates the answering
sentence no higher than its neighbours (0.71-0.73 against 0.74 for a wrong record). Asked
instead to copy the shortest words that answer, or NONE, it copies "--verbose", "v2.30",
"blockdev --getsz", "ISW". What it copies is only a pointer: the answer is the sentence of
the evidence that holds those words, quoted word for word, so nothing the model wrote
reaches the user.

A copy can still point at the wrong sentence, and unanswerable questions are where that
shows ("Harvard" for a university that found villages the passage does not mention), so a
sentence is quoted only when
- the copied words occur in it word for word (case aside), and it is a sentence the quote
  fallback could quote: of the kind the question asks for, 4-80 words, no instruction;
- the copied words add a word to the question (a copy of its own subject answers nothing);
- the passage holds every number the question names ("Apache-Lizenz 1.0" is not answered
  from the passage on version 2.0);
- the premise check passes on the passage (rag/premise.py, ``answer.premise_threshold``).

The prompt is the answer prompt with another last instruction, so llama.cpp restores the
sources' prefill from its prompt cache. Measured in README (Verification, "A decline whose
answer the model can copy").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import replace

from rag.asking import restates
from rag.generators import GenerationRequest, Generator
from rag.injection import without_instructions
from rag.premise import PremiseCheck
from rag.prompts import COPY_NONE, copy_messages, is_cannot_answer
from rag.quoting import Quote, candidates
from rag.rules import numbers
from rag.types import Evidence

__all__ = ["AnswerCopier", "copied_words", "holding_sentence", "names_numbers_of"]

# a copy longer than this is a sentence the model wrote, not words it copied
MAX_COPY_WORDS = 12
# the copy is a few words; its tokens are all that is generated
MAX_COPY_TOKENS = 40

_MARKER = re.compile(r"\s*\[\d+(?:\s*[,\-–]\s*\d+)*\]")
_ENDS = "\"'“”„‚‘’«».:;"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def copied_words(raw: str) -> str:
    """The words the model copied, whitespace collapsed, without citation markers, the
    quotation marks around them or a final stop; "" when it copied none."""
    text = _MARKER.sub("", raw).strip().strip(_ENDS).strip()
    if not text or text.upper().startswith(COPY_NONE) or is_cannot_answer(raw):
        return ""
    words = text.split()
    return " ".join(words) if len(words) <= MAX_COPY_WORDS else ""


def holding_sentence(words: str, quotes: Sequence[Quote]) -> Quote | None:
    """The first sentence (in the evidence's order) that holds the words as written, case
    aside, not as part of a longer word or number."""
    pattern = re.compile(r"(?<![\w.,])" + re.escape(words) + r"(?!\w|[.,]\d)", re.IGNORECASE)
    for q in quotes:
        if pattern.search(" ".join(q.text.split())):
            return q
    return None


def names_numbers_of(asked: str, passage: str) -> bool:
    """Whether the passage holds every number the question names, as written ("1.0",
    "v2.30"), or by value for whole numbers ("1,700" for "1700")."""
    values = numbers(passage)
    for token in _NUMBER.findall(asked):
        written = re.compile(r"(?<![\d.,])" + re.escape(token) + r"(?![\d]|[.,]\d)")
        if written.search(passage):
            continue
        whole = re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+|\d+", token)
        if whole is None or not (numbers(token) & values):
            return False
    return True


class AnswerCopier:
    def __init__(self, generator: Generator, premise: PremiseCheck) -> None:
        self.generator = generator
        self.premise = premise

    def copy(
        self, question: str, evidence: Sequence[Evidence], stop: threading.Event | None = None
    ) -> str:
        """The model's copied words for the question ("" for none, and when stopped)."""
        request = GenerationRequest(copy_messages(question, evidence), max_tokens=MAX_COPY_TOKENS)
        raw = "".join(self.generator.stream(request, stop))
        return "" if stop is not None and stop.is_set() else copied_words(raw)

    def quote(self, words: str, question: str, asked: str, evidence: Sequence[Evidence],
              also: Sequence[str] = ()) -> Quote | None:  # fmt: skip
        """The sentence to quote for the copied ``words``, or None when a check fails;
        ``asked``: every wording of the question (as asked and as rewritten), ``also``: the
        other wordings whose kind the sentence must fit too."""
        if not words or restates(words, asked):
            return None
        found = holding_sentence(words, candidates([question, *also], evidence))
        if found is None:
            return None
        passage = without_instructions(found.evidence.text)
        if not names_numbers_of(asked, passage):
            return None
        p = self.premise.score(question, passage)
        if p < self.premise.threshold:
            return None
        return replace(found, score=p, copied=words)
