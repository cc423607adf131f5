"""What guide steps call: every area's sources (lists) and actions, behind one ActionPort.

Each module in this package is one area of citizen tasks (appointments, medicines, …). It
exposes ``SOURCES`` and ``ACTIONS``: names a guide may use, mapped to functions taking the
shared TaskContext and the Session (see ``common``). Adding an area is adding a module.
"""
