"""The answering pipeline: condense → retrieve → (abstain?) → evidence → generate → verify.

``Answerer.stream`` yields typed events in order: the sources as soon as retrieval ends,
answer tokens, one verdict per sentence, then the final ``Answer``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import abc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from index import Hit, Index
from index.text import count_tokens, detect_language
from rag.asking import asks_for_number, asks_why, gives_number
from rag.attribution import SentenceVerifier
from rag.citations import parse_answer
from rag.config import AnswerConfig, RetrievalConfig
from rag.copying import AnswerCopier
from rag.draft import Clock, Draft
from rag.evidence import evidence_for
from rag.generators import (
    GenerationRequest,
    Generator,
    LogprobModel,
    complete,
    decline_probability,
)
from rag.outcome import assembled_answer, declined, finished
from rag.parts import split_question, stream_parts
from rag.premise import PremiseCheck, refused
from rag.prompts import (
    ANSWER_LANGUAGES,
    NUMBER_HINT,
    answer_messages,
    condense_messages,
    is_cannot_answer,
)
from rag.quoting import Quote, QuoteFinder, quoted_answer
from rag.sentences import answer_sentence
from rag.types import (
    Answer,
    AnswerEvent,
    AskOptions,
    Event,
    SentenceEvent,
    SourcesEvent,
    TokenEvent,
    Turn,
)
from rag.verify import SentenceCheck, SupportChecker

__all__ = ["Answerer"]

# a step that streams its events and then returns the answer it came to
_Steps = abc.Generator[Event, None, Answer]

log = logging.getLogger(__name__)


class Answerer:
    def __init__(
        self,
        index: Index,
        generator: Generator,
        checker: SupportChecker,
        answer: AnswerConfig,
        retrieval: RetrievalConfig,
    ) -> None:
        self.index = index
        self.generator = generator
        self.checker = checker
        self.cfg = answer
        self.search_options = retrieval.search_options()
        self.verifier = SentenceVerifier(checker, answer, lambda i: index.document(i).text)
        # quoting needs the model's P(yes); the extractive generator has none
        self.quotes = (
            QuoteFinder(
                generator, index.embedder, answer.quote_threshold, embed_query=index.embed_query
            )
            if answer.quote_fallback and isinstance(generator, LogprobModel)
            else None
        )
        self.premise = (
            PremiseCheck(generator, answer.premise_threshold)
            if answer.premise_check and isinstance(generator, LogprobModel)
            else None
        )
        # the copy is checked by the premise check and quoted as the quote fallback quotes
        self.copier = (
            AnswerCopier(generator, self.premise)
            if answer.copy_fallback and self.quotes is not None and self.premise is not None
            else None
        )

    def warm_up(self) -> None:
        # one token from the fixed prefix (system prompt + worked examples) puts it in the
        # runtime's cache; llama.cpp then skips its prefill for every real question
        messages = answer_messages("warm-up", [], "en")
        for _ in self.generator.stream(GenerationRequest(messages, max_tokens=1)):
            pass

    # steps ---------------------------------------------------------------------------------
    def condense(self, history: Sequence[Turn], question: str) -> str:
        """A follow-up rewritten to stand alone; without a language model, the previous
        standalone question is prepended so retrieval still sees the referent."""
        fallback = f"{history[-1].answer.standalone_question} {question}"
        rewritten = complete(
            self.generator,
            GenerationRequest(condense_messages(history, question), max_tokens=64),
        )
        line = rewritten.strip().splitlines()[0].strip(" \"'“”") if rewritten.strip() else ""
        return line if len(line) > 3 else fallback

    def _search(self, query: str, k: int | None) -> list[Hit]:
        return self.index.search(query, self.search_options, k=k)

    def _models(self) -> dict[str, str]:
        return {
            "embedder": self.index.embedder.name,
            "generator": self.generator.model_id,
            "judge": self.checker.name,
        }

    # the pipeline --------------------------------------------------------------------------
    def stream(
        self,
        question: str,
        history: Sequence[Turn] | None = None,
        stop: threading.Event | None = None,
        options: AskOptions | None = None,
    ) -> Iterator[Event]:
        parts = split_question(question) if self.cfg.split_parts else [question]

        def one(q: str, turns: Sequence[Turn] | None) -> Iterator[Event]:
            return self._stream_one(q, turns, stop, options)

        if len(parts) == 1:
            yield from one(question, history)
        else:
            yield from stream_parts(one, question, parts, history, lambda: _stopped(stop))

    def _stream_one(
        self,
        question: str,
        history: Sequence[Turn] | None,
        stop: threading.Event | None,
        options: AskOptions | None,
    ) -> Iterator[Event]:
        options = options or AskOptions()
        clock = Clock(time.perf_counter())
        d = Draft(question, question, detect_language(question, ANSWER_LANGUAGES))
        if history:
            d.standalone = self.condense(history, question)
            clock.condense = clock.since()
        d.hits = self._search(d.standalone, options.k)
        clock.retrieval = clock.since() - clock.condense
        best = max((h.dense_score for h in d.hits if h.dense_score is not None), default=None)
        if best is None or best < self.cfg.min_relevance:
            yield SourcesEvent(tuple(d.hits), ())
            shown = "nothing found" if best is None else f"best similarity {best:.2f}"
            reason = f"no passage is relevant enough ({shown} < {self.cfg.min_relevance:.2f})"
            yield AnswerEvent(declined(d, self._models(), reason, clock.timings()))
            return
        d.evidence = evidence_for(self.index, d.hits, self.cfg)
        yield SourcesEvent(tuple(d.hits), tuple(d.evidence))
        max_tokens = options.max_tokens or self.cfg.max_tokens
        yield from self._generate(d, clock, stop, max_tokens)
        if self._may_retry(d) and is_cannot_answer(d.raw) and not _stopped(stop):
            # the small model declines with the answer in front of it (26 of 100 SQuAD
            # questions); asked again without the way out, it must answer from the
            # passages, and verification below removes whatever they do not support. Only
            # a hesitant decline is asked again: a sure one is mostly a right one
            d.decline_probability = decline_probability(
                self.generator, answer_messages(d.standalone, d.evidence, d.lang)
            )
            if (d.decline_probability or 0.0) < self.cfg.retry_below:
                d.second_draft = "retry"
                d.raw = ""
                yield TokenEvent("", restart=True, why="the model declined; asking it once more")
                yield from self._generate(d, clock, stop, max_tokens, insist=True)
        if _stopped(stop):
            stopped = declined(d, self._models(), "stopped by the user", clock.timings())
            yield AnswerEvent(stopped)
            return
        if not d.raw.strip() or is_cannot_answer(d.raw):
            answer = declined(d, self._models(), "the documents do not say", clock.timings())
        else:
            answer = yield from self._drafted(d, clock, stop, max_tokens)
            if not answer.abstained and self.premise is not None and not _stopped(stop):
                answer = yield from self._premised(d, clock, answer, self.premise)
        if answer.abstained and self.quotes and not (refused(answer) or _stopped(stop)):
            answer = yield from self._quoted(d, clock, answer, self.quotes, stop)
        yield AnswerEvent(answer)

    def _may_retry(self, d: Draft) -> bool:
        """Whether a decline of this question may be asked again without the way out.

        Not a why-question's: forced to answer one, the model supplies a cause, and a cause
        made of two facts the passage states side by side is what the judge and the premise
        check pass (README, Verification: "A declined why-question stays declined")."""
        return self.cfg.retry_declined and not (asks_why(d.question) or asks_why(d.standalone))

    def _drafted(
        self, d: Draft, clock: Clock, stop: threading.Event | None, max_tokens: int
    ) -> _Steps:
        """The verified answer to a draft that did not decline, with its one second draft."""
        answer = yield from self._verified(d, clock)
        # at most two drafts: no second look or number retry after a retried decline
        again = not d.second_draft and not _stopped(stop)
        if again and answer.abstained and self.cfg.second_look:
            # the passages in reverse order: the model reads the top-ranked one last, nearest
            # the question, and a draft built on the wrong passage sometimes finds the right
            # one then. Measured (README, Evaluation): 6 more right seed answers and 2 wrong;
            # on the SQuAD 100 none right and 3 wrong, so it is off by default
            why = "no sentence was supported; reading the passages again"
            answer = yield from self._redraft(
                d, clock, stop, max_tokens, answer, kind="second look", why=why,
                better=_answered, reverse=True)  # fmt: skip
        elif again and self._lacks_number(d, answer):
            # the same prompt with one sentence more at its end, so the sources' prefill is
            # reused; the first answer stands unless a supported sentence states a number
            why = "the answer gave no number; asking for it"
            answer = yield from self._redraft(
                d, clock, stop, max_tokens, answer, kind="number", why=why,
                better=lambda a: _states_number(a, d.asked), hint=NUMBER_HINT)  # fmt: skip
        return answer

    def _quoted(
        self,
        d: Draft,
        clock: Clock,
        decline: Answer,
        quotes: QuoteFinder,
        stop: threading.Event | None = None,
    ) -> _Steps:
        """The evidence sentence that states the answer, word for word, in place of a decline;
        the decline stands when no sentence reaches the threshold (rag/quoting.py) and none
        holds words the model copies as the answer that pass their checks (rag/copying.py)."""
        t0 = time.perf_counter()
        also = [d.question] if d.question != d.standalone else []
        found = quotes.best(d.standalone, d.evidence, also)
        clock.verification += time.perf_counter() - t0
        if found is None and self.copier is not None and not _stopped(stop):
            found = self._copied(d, clock, self.copier, also, stop)
        if found is None:
            return replace(decline, timings=clock.timings())
        text, sentence, citation = quoted_answer(found, d.lang, decline.reason)
        yield TokenEvent("", restart=True, why="no drafted sentence held; quoting the source")
        yield TokenEvent(text)
        yield SentenceEvent(0, sentence)
        timings = clock.timings()
        return finished(d, self._models(), timings, text, (sentence,), citations=(citation,))

    def _copied(
        self,
        d: Draft,
        clock: Clock,
        copier: AnswerCopier,
        also: list[str],
        stop: threading.Event | None,
    ) -> Quote | None:
        """The sentence holding the words the model copies as the answer, if it passes the
        copy's checks (rag/copying.py); the copy counts as generation, its checks as
        verification."""
        t0 = time.perf_counter()
        words = copier.copy(d.standalone, d.evidence, stop)
        t1 = time.perf_counter()
        clock.generation += t1 - t0
        found = copier.quote(words, d.standalone, d.asked, d.evidence, also)
        clock.verification += time.perf_counter() - t1
        return found

    def _premised(self, d: Draft, clock: Clock, answer: Answer, check: PremiseCheck) -> _Steps:
        """The answer, or a decline when its passages do not confirm the question's premise
        (rag/premise.py); a quote is not tried then, it would answer the same question. The
        decline keeps no sentences: they were supported, and a decline's removed sentences
        count as uncited in the evaluation (the draft stays in raw_text)."""
        t0 = time.perf_counter()
        p, why = check.refusal(d.standalone, answer)
        clock.verification += time.perf_counter() - t0
        if not why:
            return replace(answer, timings=clock.timings(), premise_score=p)
        yield TokenEvent("", restart=True, why="the passages do not confirm the question")
        return replace(declined(d, self._models(), why, clock.timings()), premise_score=p)

    def _lacks_number(self, d: Draft, answer: Answer) -> bool:
        """A number question answered by supported sentences that state no number."""
        return (
            self.cfg.number_retry
            and not answer.abstained
            and (asks_for_number(d.question) or asks_for_number(d.standalone))
            and not gives_number(answer, d.asked)
        )

    def _redraft(
        self,
        d: Draft,
        clock: Clock,
        stop: threading.Event | None,
        max_tokens: int,
        first: Answer,
        *,
        kind: str,
        why: str,
        better: Callable[[Answer], bool],
        reverse: bool = False,
        hint: str = "",
    ) -> _Steps:
        """One more draft (``kind``: "second look", "number"), verified alike; it replaces
        ``first`` only when ``better`` holds for it, so a second draft can add an answer but
        never loses one or changes why one was declined."""
        d.raw = ""
        d.second_draft = kind
        yield TokenEvent("", restart=True, why=why)
        yield from self._generate(d, clock, stop, max_tokens, reverse=reverse, hint=hint)
        if not _stopped(stop) and d.raw.strip() and not is_cannot_answer(d.raw):
            second = yield from self._verified(d, clock)
            if better(second):
                return second
        return replace(first, timings=clock.timings(), second_draft=kind)

    def _verified(self, d: Draft, clock: Clock) -> _Steps:
        """Verify the draft sentence by sentence (one event each); returns the ``Answer``."""
        t_ver0 = time.perf_counter()
        parsed = list(parse_answer(d.raw, [e.number for e in d.evidence], d.lang))
        checks: list[SentenceCheck] = []
        by_number = {e.number: e for e in d.evidence}
        attributed: list[bool] = []
        for i, ps in enumerate(parsed):
            fixed, check, moved = self.verifier.verify(ps, d, by_number)
            parsed[i] = fixed
            checks.append(check)
            attributed.append(moved)
            sentence = answer_sentence(fixed, check, fixed.evidence, self.cfg.unsupported, moved)
            yield SentenceEvent(i, sentence)
        clock.verification += time.perf_counter() - t_ver0
        return assembled_answer(
            d, self._models(), parsed, checks, attributed,
            timings=clock.timings(), mode=self.cfg.unsupported)  # fmt: skip

    def _generate(
        self,
        d: Draft,
        clock: Clock,
        stop: threading.Event | None,
        max_tokens: int,
        *,
        insist: bool = False,
        reverse: bool = False,
        hint: str = "",
    ) -> Iterator[TokenEvent]:
        messages = answer_messages(
            d.standalone, d.evidence, d.lang, insist=insist, reverse=reverse, hint=hint
        )
        d.prompt_tokens = sum(count_tokens(m["content"]) for m in messages)
        request = GenerationRequest(
            messages,
            d.standalone,
            tuple(d.evidence),
            d.lang,
            max_tokens,
            self.cfg.temperature,
        )
        t0 = clock.since()
        for piece in self.generator.stream(request, stop):
            if clock.first_token is None:
                clock.first_token = clock.since()
            d.raw += piece
            yield TokenEvent(piece)
        clock.generation += clock.since() - t0


def _answered(answer: Answer) -> bool:
    return not answer.abstained


def _states_number(answer: Answer, asked: str) -> bool:
    return not answer.abstained and gives_number(answer, asked)


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()
