"""Built-in policies: the full default practice and the recovery models teams train on.

Each preset is a :class:`~service_recovery.RecoveryPolicy` with its own stage
graph and required steps; every one keeps the contract guards (no solution
before venting is finished, no close without a follow-up, compensation above
authority only with approval). Tune one with :func:`attrs.evolve` or start a
policy file from it with ``extends = "heard"``.

>>> import service_recovery as sr
>>> [policy.name for policy in sr.presets.PRESETS.values()]
['default', 'heard', 'last', 'blast', 'latte', 'learn', 'iso_10002']
>>> sr.presets.by_name("LAST") is sr.presets.LAST
True

See docs/reference/presets.md for each model's steps, order and origin.
"""

from .._rulebook._presets import (
    BLAST,
    DEFAULT,
    HEARD,
    ISO_10002,
    LAST,
    LATTE,
    LEARN,
    PRESETS,
    by_name,
)

__all__ = [
    "BLAST",
    "DEFAULT",
    "HEARD",
    "ISO_10002",
    "LAST",
    "LATTE",
    "LEARN",
    "PRESETS",
    "by_name",
]
