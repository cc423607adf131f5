"""Staff helper mode: staff accounts with hashed PINs, unlock/lock, and the audit log."""
