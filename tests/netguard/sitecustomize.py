"""Run at start-up by every Python process the tests start (conftest puts this folder on
PYTHONPATH): the same network guard as in the pytest process."""

from netguard import install

install()
