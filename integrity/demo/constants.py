"""The demo's fixed values: the password and signing passphrase of every demo login, the demo's dates
and e-mail domain, and `d`, the ISO-date shorthand the tables use."""

import datetime

DEMO_PASSWORD = "pakta-demo-2026"  # noqa: S105 - demo only; printed by `manage.py demo_logins`
# The signing passphrase of every demo identity. Demo only: a real passphrase is chosen by the official,
# differs from the password, and nobody else knows it (PP 71/2019 Pasal 59(3) b).
DEMO_PASSPHRASE = DEMO_PASSWORD
# The demo's "now": the last day on which external signatures are recorded. The story of the
# data (and the TMT of the sample decree, 23 Nov 2026) is told up to this date.
DEMO_DATE = datetime.date(2026, 11, 27)
BASE_DATE = datetime.date(2024, 1, 15)  # the organisation as first registered in Pakta
EMAIL_DOMAIN = "kemenkeu.example"


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
