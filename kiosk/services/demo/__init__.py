"""The bundled practice health service (FHIR R4 + OAuth device sign-in, fictional people).

One job per module: ``backend`` wires it all (``DemoBackend``, ``serve_forever``), ``server``
is HTTP plumbing, ``store`` keeps resources, ``search`` answers searches (with ``params``
for the search parameters and ``dates`` for date ranges), ``validate`` refuses
invalid resources, ``access`` decides who sees what, ``booking`` holds the GP office's slot
rules, ``fhir_api`` runs the FHIR interactions, ``oauth`` and ``device_page`` do sign-in, and
``seed`` plants the fictional data. Rules and data live in the YAML files beside them.
"""

from kiosk.services.demo.backend import DemoBackend, serve_forever
from kiosk.services.fhir import NO_NATIONAL_ID

__all__ = ["NO_NATIONAL_ID", "DemoBackend", "serve_forever"]
