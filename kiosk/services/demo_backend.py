"""Where the practice health service used to live; it is now the ``kiosk.services.demo``
package. This name stays importable because the runtime, doctor, CLI and tests use it."""

from kiosk.services.demo import NO_NATIONAL_ID, DemoBackend, serve_forever

__all__ = ["NO_NATIONAL_ID", "DemoBackend", "serve_forever"]
