"""PDFs, keys and certificates: signing, verification, the embedded CA (never pacts)."""

from signatures import library_fixes

library_fixes.apply()
