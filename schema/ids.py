"""Opaque global ids ("Document:12") and connection cursors, and their strict decoding."""

from __future__ import annotations

import base64
import binascii

from schema.errors import UserInputError

_CURSOR_PREFIX = "cursor"
# Ids are PostgreSQL INTEGERs: a number above this names nothing on either backend.
MAX_NUMBER = 2**31 - 1


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(value: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _split(decoded: str | None) -> tuple[str, int] | None:
    if decoded is None:
        return None
    prefix, _, number = decoded.partition(":")
    if not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    return prefix, int(number)


def global_id(type_name: str, pk: int) -> str:
    return _encode(f"{type_name}:{pk}")


def _in_range(number: int, what: str, value: str) -> int:
    if number > MAX_NUMBER:
        raise UserInputError(
            f"'{value[:100]}' is not a valid {what}: its number is over {MAX_NUMBER}."
        )
    return number


def parse_global_id(value: str) -> tuple[str, int]:
    """Return (type name, primary key), or raise BAD_USER_INPUT for anything malformed."""
    parts = _split(_decode(value))
    if parts is None or not parts[0]:
        raise UserInputError(f"'{value[:100]}' is not a valid id.")
    return parts[0], _in_range(parts[1], "id", value)


def encode_cursor(pk: int) -> str:
    return _encode(f"{_CURSOR_PREFIX}:{pk}")


def decode_cursor(value: str | None) -> int | None:
    """The position after which a page starts; None for the first page."""
    if value is None:
        return None
    parts = _split(_decode(value))
    if parts is None or parts[0] != _CURSOR_PREFIX:
        raise UserInputError(f"'{value[:100]}' is not a valid cursor.")
    return _in_range(parts[1], "cursor", value)
