"""Who may act for whom: adult proxies (fullmakt) and parents acting for a child, per country.

The rules are data (``rules.yaml``, checked by ``schema``); ``access`` turns them into typed
decisions with a plain-language reason. Nothing here imports the UI.
"""
