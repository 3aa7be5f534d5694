"""Integrity models: the organisation over time, decrees, pacts, the working-day calendar."""

from integrity.models.calendar import DeadlinePolicy, Holiday, HolidayDecree
from integrity.models.decrees import Decree, DecreeMove
from integrity.models.invitations import Invitation
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
from integrity.models.signing import PactRevision, PactValidationReport

__all__ = [
    "Assignment",
    "DeadlinePolicy",
    "Decree",
    "DecreeMove",
    "Holiday",
    "HolidayDecree",
    "InboxMessage",
    "IntegrityPact",
    "Invitation",
    "NightlyRun",
    "Official",
    "PactParty",
    "PactReminder",
    "PactRevision",
    "PactTemplate",
    "PactValidationReport",
    "Position",
    "Rank",
    "ReconcileState",
    "RoleGrant",
    "SpendingUnit",
    "SpendingUnitHead",
    "Unit",
]
