"""The kiosk's tests. A regular package, so that "tests" means this folder even when an installed
distribution ships a top-level "tests" package of its own (argos-translate-lt does)."""
