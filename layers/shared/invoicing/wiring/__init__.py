"""The composition root: what each function is made of, declared in one place and built lazily.

A function file names the services it needs (`TableServices`, `DocumentServices`, ...) and gets
its settings, observability and those services from `Function` or `ApiFunction`; see
ARCHITECTURE.md, "Wiring".
"""
