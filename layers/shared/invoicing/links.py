"""A pre-signed download link: what the API hands out for a file it does not send itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DownloadLink:
    """A GET anyone holding `url` can make until `expires_at`, and no later."""

    url: str
    expires_at: datetime
