"""Backends over HTTP: one client, FHIR R4, device sign-in, task API and the demo service."""
