"""The citizen's health tasks over FHIR R4, one module per area, each typed and small.

Reading returns frozen dataclasses (``medicines.Medicine``, ``messages.Message`` …). Every
submission is built, not sent: a builder returns a ``submission.Submission`` (resource type,
resource, ``If-None-Exist`` query) that the durable outbox stores and later hands to
``submission.deliver``. A client-generated identifier makes sending it twice store it once.

Areas: ``medicines`` (list, ask for renewal), ``messages`` (GP office), ``consent`` (see, give,
withdraw), ``proxies`` (fullmakt), ``measurements`` (home readings), ``questionnaire``
(symptoms), ``vaccines`` (given and recommended), ``contacts`` (care team).
"""
