"""What every stage kind is: its moments and their events, its defaults, its two decisions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pipeline.core.values import Addition, CaseState, Outcome
from pipeline.engine.context import Decide
from pipeline.engine.model import SopDef, StageDef

OnDrop = Callable[[Decide, StageDef], Outcome]
"""What a drop into the stage's folder changes (or a `Rejected` saying why not)."""
OnStart = Callable[[Decide, StageDef, CaseState, int], Addition]
"""What the stage issues when the flow reaches it: the case as it stands at that moment, and
the step that just ended (outputs without a step of their own belong to it)."""


@dataclass(frozen=True)
class Kind:
    """One stage kind. `events` maps each moment to the event the journal records for it;
    `last` is the moment that completes the stage and starts the next one."""

    name: str
    events: Mapping[str, str]
    last: str
    accepts: frozenset[str] = frozenset()
    folder: Callable[[SopDef, StageDef], str] = lambda sop, stage: ""
    opens: bool = False
    on_drop: OnDrop | None = None
    on_start: OnStart | None = None
    keys: frozenset[str] = field(default_factory=frozenset)

    def moments(self, stage: StageDef) -> tuple[str, ...]:
        return tuple(self.events)

    def event(self, stage: StageDef, moment: str) -> str:
        return self.events[moment]

    def completion(self, stage: StageDef) -> str:
        """The event after which the flow goes on to the next stage."""
        return self.event(stage, self.last)


@dataclass(frozen=True)
class ParafKind(Kind):
    """Paraf: one moment per role of the chain, named by the role."""

    def moments(self, stage: StageDef) -> tuple[str, ...]:
        return stage.pelaksana

    def event(self, stage: StageDef, moment: str) -> str:
        return f"paraf:{moment}"

    def completion(self, stage: StageDef) -> str:
        return self.event(stage, stage.pelaksana[-1])
