"""The per-run token budget: checked before every request, charged with what the endpoint reports.

A request is made only when the tokens spent so far, plus the prompt's conservative estimate,
plus the most the completion may take (``max_output_tokens``, sent with the request) stay within
the cap; so no request can cross it unless the endpoint counts the prompt above the estimate.
When it does (a tokenizer far from English), later estimates are raised by the same ratio.
A request that timed out reported nothing, so it is charged the most it could have cost.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TokenBudget"]


@dataclass
class TokenBudget:
    cap: int
    tokens_in: int = 0  # prompt tokens charged (reported, or the estimate when not reported)
    tokens_out: int = 0  # completion tokens charged
    ratio: float = 1.0  # reported / estimated prompt tokens, the highest seen (never below 1)

    @property
    def spent(self) -> int:
        return self.tokens_in + self.tokens_out

    @property
    def left(self) -> int:
        return max(self.cap - self.spent, 0)

    def allows(self, prompt_estimate: int, completion_cap: int) -> bool:
        """True when a request of this size cannot take the run past the cap."""
        return self.spent + prompt_estimate + completion_cap <= self.cap

    def charge(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.tokens_in += max(int(prompt_tokens), 0)
        self.tokens_out += max(int(completion_tokens), 0)

    def calibrate(self, estimate: int, reported: int, fixed: int = 0) -> None:
        """Learn from a reported prompt size larger than its estimate (made with ``ratio``;
        ``fixed`` of it is the per-request overhead, which the ratio does not scale)."""
        if reported > estimate > fixed:
            self.ratio *= (reported - fixed) / (estimate - fixed)
