"""Progress for long work: a rich bar on a terminal, nothing extra otherwise (the log has lines)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

__all__ = ["StepProgress", "step_progress", "no_progress"]

# (step description, papers so far in this step, steps finished)
StepProgress = Callable[[str, int, int], None]


def no_progress(description: str, papers: int, done: int) -> None:
    return None


@contextmanager
def step_progress(label: str, total_steps: int, *, stream=None) -> Iterator[StepProgress]:
    """Yield a callback that moves a progress bar over ``total_steps`` steps.

    Off a terminal (cron, CI, pipes) it does nothing: the harvest logs a line per step there.
    """
    stream = stream or sys.stderr
    if not stream.isatty() or total_steps == 0:
        yield no_progress
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(label, total=total_steps)

        def update(description: str, papers: int, done: int) -> None:
            short = description if len(description) <= 60 else description[:57] + "..."
            bar.update(task, completed=done, description=f"{label}: {short} ({papers} paper{'' if papers == 1 else 's'})")

        yield update
