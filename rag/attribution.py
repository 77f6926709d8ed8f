"""One draft sentence checked against the passages it cites, and where that fails, against
the others: attribution instead of deletion (README, Verification, item 3).

Split from rag/answering.py, which runs the steps; this module decides, per sentence,
which offered text supports it and what it then cites.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rag.asking import restates
from rag.citations import ParsedSentence
from rag.config import AnswerConfig
from rag.draft import Draft
from rag.evidence import adjacent_pairs
from rag.sentences import attribution_candidates
from rag.types import Evidence
from rag.verify import SentenceCheck, SupportChecker, check_sentence, content_words, rule_holds

__all__ = ["RESTATES", "SentenceVerifier"]

# why a sentence that only repeats its question is removed (eval/causes.py counts it)
RESTATES = "it restates the question and adds nothing to it"


class SentenceVerifier:
    def __init__(
        self, checker: SupportChecker, cfg: AnswerConfig, document_text: Callable[[str], str]
    ) -> None:
        self.checker = checker
        self.cfg = cfg
        self.document_text = document_text  # a document's full text, by id

    def _check(self, claim: str, d: Draft, passages: Sequence[Evidence]) -> SentenceCheck:
        return check_sentence(
            claim,
            d.lang,
            [(e.text, e.language) for e in passages],
            self.checker,
            threshold=self.cfg.judge_threshold,
            question=d.standalone,
            window=self.cfg.judge_window,
            question_words=self.cfg.judge_question_words,
            titles=self._titles(passages),
        )

    def _titles(self, passages: Sequence[Evidence]) -> list[str]:
        """The titles the rule may take names from: none with answer.verify_titles off."""
        return [e.title for e in passages] if self.cfg.verify_titles else []

    def verify(
        self, ps: ParsedSentence, d: Draft, by_number: dict[int, Evidence]
    ) -> tuple[ParsedSentence, SentenceCheck, bool]:
        """Check a sentence against what it cites; if that fails, against the other passages.

        The small model often writes the right fact with the wrong number (it cited [2] for a
        fact in [1] in 2 of 8 seed answers), or writes a correct sentence with no marker. A
        claim that another offered passage supports, by the same rule and judge, gets that
        passage as its citation and is marked as attributed (the third value). Only a
        sentence that no offered passage supports stays unsupported.
        """
        if restates(ps.text, d.asked):
            # no passage can make it an answer, and the judge would pass it (it asks only
            # whether the passage says so): removed before any model call
            return ps, SentenceCheck(False, 0.0, RESTATES), False
        check = self._check(ps.text, d, [by_number[n] for n in ps.evidence])
        if check.supported:
            return ps, check, False
        for e in attribution_candidates(ps.text, d.evidence, skip=ps.evidence):
            alt = self._check(ps.text, d, [e])
            if not alt.supported:
                continue
            if ps.evidence:
                cited = ", ".join(f"[{n}]" for n in ps.evidence)
                note = f"citation corrected: the model cited {cited}, which does not support it"
            else:
                note = "citation attributed: the model cited nothing; this passage supports it"
            fixed = ParsedSentence(ps.text, (e.number,), ps.dropped)
            return fixed, SentenceCheck(True, alt.score, note), True
        if self.cfg.join_adjacent:
            for pair in self._adjacent(ps, d):
                alt = self._check(ps.text, d, list(pair))
                if alt.supported:
                    numbers = tuple(e.number for e in pair)
                    cited = " and ".join(f"[{n}]" for n in numbers)
                    note = f"citation extended: {cited} are one stretch of the document"
                    fixed = ParsedSentence(ps.text, numbers, ps.dropped)
                    return fixed, SentenceCheck(True, alt.score, note), True
        return ps, check, False

    def _adjacent(self, ps: ParsedSentence, d: Draft) -> list[tuple[Evidence, Evidence]]:
        """Pairs of shown passages that continue each other in their document, where the
        pair holds the sentence's names and numbers and neither passage alone does (a name
        at the end of one chunk, the fact at the start of the next). Those holding a passage
        the sentence cites come first, then by words shared with it.

        Only a rule failure is mended so: where one passage already held the names and
        numbers, the judge refused its meaning, and more text around it would only give
        the 1.5B judge more words to match. Tried on the seeds without this condition, a
        false premise ("How many helicopters did the defecting pilot shoot down?") was
        answered from "bombers were shot down" next to "a Russian helicopter pilot".
        """

        def rule(passages: Sequence[Evidence]) -> bool:
            cited = [(e.text, e.language) for e in passages]
            return rule_holds(ps.text, d.lang, cited, self._titles(passages), d.standalone)

        words = content_words(ps.text)
        scored = []
        for pair in adjacent_pairs(d.evidence, self.document_text):
            if rule(pair[:1]) or rule(pair[1:]) or not rule(pair):
                continue
            shared = len(words & content_words(" ".join(e.text for e in pair)))
            cites = any(e.number in ps.evidence for e in pair)
            scored.append((not cites, -shared, pair[0].number, pair))
        return [pair for *_, pair in sorted(scored, key=lambda t: t[:3])]
