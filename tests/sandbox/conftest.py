"""Emulator tests use the sandbox fixtures of tests/conftest.py."""
