"""Server-rendered pages. They call the same selectors and services as the API, never the API."""

from frontend.views.accounts import login_view, logout_view
from frontend.views.coverage import coverage
from frontend.views.decrees import decree_apply, decree_detail, decree_list, decree_preview_page, decree_upload
from frontend.views.inbox import inbox
from frontend.views.pacts import home, my_pacts, pact_detail, pact_pdf, pacts_all, team

__all__ = [
    "coverage",
    "decree_apply",
    "decree_detail",
    "decree_list",
    "decree_preview_page",
    "decree_upload",
    "home",
    "inbox",
    "login_view",
    "logout_view",
    "my_pacts",
    "pact_detail",
    "pact_pdf",
    "pacts_all",
    "team",
]
