"""Integrity models: the organisation over time, decrees, pacts, the working-day calendar."""

from integrity.models.calendar import DeadlinePolicy, Holiday, HolidayDecree
from integrity.models.decrees import Decree, DecreeMove
from integrity.models.org import (
    Assignment,
    Official,
    Position,
    Rank,
    RoleGrant,
    SpendingUnit,
    SpendingUnitHead,
    Unit,
)
from integrity.models.pacts import (
    InboxMessage,
    IntegrityPact,
    NightlyRun,
    PactParty,
    PactReminder,
    PactTemplate,
    ReconcileState,
)

__all__ = [
    "Assignment",
    "DeadlinePolicy",
    "Decree",
    "DecreeMove",
    "Holiday",
    "HolidayDecree",
    "InboxMessage",
    "IntegrityPact",
    "NightlyRun",
    "Official",
    "PactParty",
    "PactReminder",
    "PactTemplate",
    "Position",
    "Rank",
    "ReconcileState",
    "RoleGrant",
    "SpendingUnit",
    "SpendingUnitHead",
    "Unit",
]
