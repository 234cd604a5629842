"""The error SMS services raise when a person's request cannot be done."""


class SmsError(Exception):
    """A user-safe reason a batch action cannot be done."""
