"""The SMART on FHIR, OAuth and FHIR words the kiosk's settings and services share.

Constants only, no imports: ``kiosk.config`` reads them without loading the HTTP stack.
"""

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CLIENT_CREDENTIALS = "client_credentials"

SIGN_IN_SCOPES = "openid fhirUser launch/patient patient/*.rs patient/*.cu"
"""SMART v2: who signed in (id_token with fhirUser, or the patient in context), then read and
search the citizen's record and create and update in it (bookings, consents, submissions)."""

DELIVERY_SCOPES = "system/*.c"
"""SMART v2: create only; the service narrows it to the types it lets a kiosk deliver."""

RENEWAL_TASK_CODE = "urn:helselos:task-code|medication-renewal"
"""system|code of the Task that asks the GP office to renew a medicine, unless the office's
system knows such requests by a code of its own (the renewal_task_code setting)."""
