"""The organisation: units, positions, officials, satker and assignments.

Reads are scoped (`integrity.selectors.*_visible_to`): anything outside the user's scope answers
404. Creation goes through `integrity.services.org` and is for HR administrators, only inside
their HR scope (403 otherwise); auditors never write.

One module per resource (`units`, `positions`, `officials`, `spending_units`, `assignments`);
what they share is in `scope`. The routes (`integrity.api_urls`) name the views through this package.
"""

from integrity.apis.org.assignments import AssignmentDetailApi, AssignmentListApi, AssignmentOutputSerializer
from integrity.apis.org.officials import OfficialDetailApi, OfficialListCreateApi, OfficialOutputSerializer
from integrity.apis.org.positions import PositionDetailApi, PositionListCreateApi, PositionOutputSerializer
from integrity.apis.org.scope import NOT_FOUND_IN_SCOPE, READ_OR_HR_WRITE, ScopedPrimaryKeyField
from integrity.apis.org.spending_units import (
    SpendingUnitDetailApi,
    SpendingUnitListCreateApi,
    SpendingUnitOutputSerializer,
)
from integrity.apis.org.units import UnitDetailApi, UnitListCreateApi, UnitOutputSerializer

__all__ = [
    "NOT_FOUND_IN_SCOPE",
    "READ_OR_HR_WRITE",
    "AssignmentDetailApi",
    "AssignmentListApi",
    "AssignmentOutputSerializer",
    "OfficialDetailApi",
    "OfficialListCreateApi",
    "OfficialOutputSerializer",
    "PositionDetailApi",
    "PositionListCreateApi",
    "PositionOutputSerializer",
    "ScopedPrimaryKeyField",
    "SpendingUnitDetailApi",
    "SpendingUnitListCreateApi",
    "SpendingUnitOutputSerializer",
    "UnitDetailApi",
    "UnitListCreateApi",
    "UnitOutputSerializer",
]
