"""The bundled practice health service (FHIR R4 + OAuth device sign-in, fictional people).

One job per module: ``backend`` wires it all (``DemoBackend``, ``serve_forever``), ``server``
is HTTP plumbing, ``store`` keeps resources, ``search`` answers searches (with ``params``
for the search parameters and ``dates`` for date ranges), ``validate`` refuses
invalid resources, ``access`` decides who sees what (``family`` reads who may act for whom),
``booking`` holds the GP office's slot rules, ``fhir_api`` runs the FHIR interactions, ``oauth``
and ``device_page`` do sign-in, and ``seed`` plants the fictional data. Rules and data live in
the YAML files beside them.

It stands alone, as a separate server would: it imports nothing of the kiosk's client side
(kiosk.services, kiosk.policy, the screens; an import contract holds it), only small shared
leaves such as kiosk.clock and kiosk.datafile. A FHIR misreading shared by the kiosk and the
service could otherwise pass the contract tests on both.
"""

from kiosk.demo.backend import DemoBackend, PracticeCodeError, serve_forever
from kiosk.demo.seed import NO_NATIONAL_ID

__all__ = ["NO_NATIONAL_ID", "DemoBackend", "PracticeCodeError", "serve_forever"]
