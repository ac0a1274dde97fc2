"""A tenant's look of its invoice PDFs, as data: colours, footer text, logo.

Stored in the documents bucket as `themes/<tenantId>/theme.json` (and an optional PNG or JPEG
`themes/<tenantId>/logo`); a tenant without one gets DEFAULT_THEME. Changing the theme changes every
PDF's fingerprint, so the next request renders the restyled document.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from invoicing.errors import ValidationFailed

HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


class Theme(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accentColor: HexColour = "#1F4E79"
    textColor: HexColour = "#222222"
    mutedColor: HexColour = "#6B7280"
    stripeColor: HexColour = "#F1F5F9"
    fontSize: Annotated[float, Field(ge=7, le=12)] = 9
    footerText: Annotated[str, StringConstraints(max_length=300)] | None = None
    logoWidthMm: Annotated[float, Field(ge=10, le=80)] = 40


DEFAULT_THEME = Theme()


def parse_theme(document: bytes) -> Theme:
    try:
        return Theme.model_validate_json(document)
    except ValidationError as error:
        raise ValidationFailed(f"The tenant's PDF theme is not valid: {error.errors()[0]['msg']}.") from error


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
