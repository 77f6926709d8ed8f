"""The last check of a verified answer: do its passages confirm what the question assumes?

Verification asks whether each answer sentence is supported by what it cites. A question
with a false premise gets answers that pass that test: "Why did Zelensky recommend
withdrawing from Bakhmut?" drew "Zelensky recommended withdrawing … because he wants to
protect his soldiers" (the passage says Zaluzhny), and "What did Garry Kasparov say about
Zaluzhny?" drew a true sentence of Kasparov's about something else. The sentence is the
wrong unit to judge; the question is the one that is false.

So before an answer stands, the model reads the passages the kept sentences cite and the
question, and is asked whether the passage states everything the question takes for
granted. Below ``answer.premise_threshold`` the answer is declined. The 1.5B model is a
weak reader of premises (it passes most swapped roles), so the threshold is set to refuse
only clear cases: measured in README (Verification, "A question whose premise the passages
do not confirm").
"""

from __future__ import annotations

from rag.generators import LogprobModel
from rag.injection import without_instructions
from rag.prompts import premise_messages
from rag.types import Answer

__all__ = ["REFUSAL", "PremiseCheck", "cited_text", "refused"]

# the start of every refusal's reason (eval/causes.py counts them by it)
REFUSAL = "the cited passages do not confirm what the question takes for granted"


def cited_text(answer: Answer) -> str:
    """The passages the kept sentences cite, in citation order, as the judge reads them
    (instructions to the assistant removed, joined by a blank line): with one passage cited
    the prompt then shares the judge's cached prefix."""
    numbers = sorted({n for s in answer.sentences if s.kept for n in s.citations})
    by_number = {c.number: c.quote for c in answer.citations}
    texts = (without_instructions(by_number[n]) for n in numbers if n in by_number)
    return "\n\n".join(t for t in texts if t.strip())


def refused(answer: Answer) -> bool:
    """Whether the answer is a decline by the premise check."""
    return answer.reason.startswith(REFUSAL)


class PremiseCheck:
    def __init__(self, model: LogprobModel, threshold: float) -> None:
        self.model = model
        self.threshold = threshold

    def score(self, question: str, passage: str) -> float:
        """The model's P(yes) that the passage states what the question takes for granted."""
        return self.model.yes_probability(premise_messages(question, passage))

    def refusal(self, question: str, answer: Answer) -> tuple[float | None, str]:
        """The P(yes) (None when not asked) and why the answer must not stand ("": it may)."""
        passage = cited_text(answer)
        if not passage or any(s.quoted for s in answer.sentences):
            return None, ""  # a quote was already rated as answering the question itself
        p = self.score(question, passage)
        if p >= self.threshold:
            return p, ""
        return p, f"{REFUSAL} (P(yes) {p:.2f} < {self.threshold:.2f})"
