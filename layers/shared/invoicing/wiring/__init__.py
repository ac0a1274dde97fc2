"""The composition root: what each function is made of, declared in one place and built lazily.

A function file names the services it needs (`TableServices`, `DocumentServices`, ...) and gets
its settings, observability and those services from `Function` or `ApiFunction`; see
ARCHITECTURE.md, "Wiring". Function files import it before anything else (`functions/ruff.toml`):
on Lambda, importing it pauses garbage collection for the init (`gc_at_init`).
"""

from invoicing.wiring.gc_at_init import pause_collection

pause_collection()
