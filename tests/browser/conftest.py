"""Browser tests use the ``browser`` and ``new_page`` fixtures of tests/conftest.py."""
