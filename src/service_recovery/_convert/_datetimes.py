"""Aware datetimes as ISO 8601 text, keeping a named zone and the fold of a repeated hour."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def datetime_from_text(text: str) -> datetime:
    """An aware datetime from ISO 8601 text, with an optional ``[Zone/Key]`` suffix.

    >>> datetime_from_text("2026-10-25T02:30:00+01:00[Europe/Berlin]").fold
    1

    Raises:
        ValueError: not ISO 8601, no offset, an unknown zone, or a time that
            falls off the calendar in its zone (past the year 9999, say).
    """
    zone = None
    if text.endswith("]") and "[" in text:
        text, key = text[:-1].split("[", 1)
        try:
            zone = ZoneInfo(key)
        except (ValueError, LookupError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {key!r}") from None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("no time zone")
    if zone is None:
        return value
    try:
        # Keep the wall time as written: a skipped or repeated local time (around a
        # daylight-saving change) is told apart by its offset, which picks the fold.
        for repeat in (0, 1):
            local = value.replace(tzinfo=zone, fold=repeat)
            if local.utcoffset() == value.utcoffset():
                return local
        return value.astimezone(zone)  # the zone's rules changed since: keep the instant
    except OverflowError as err:
        raise ValueError("outside the years 1 to 9999 in its time zone") from err


def datetime_to_text(value: datetime) -> str:
    """ISO 8601 text, with the zone's key in brackets when it has one."""
    text = value.isoformat()
    if isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key is not None:
        text += f"[{value.tzinfo.key}]"
    return text
