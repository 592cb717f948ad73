"""service-recovery: run every complaint through a workflow that enforces the practice.

>>> import service_recovery as sr
>>> workflow = sr.Workflow()              # the default policy
>>> sr.Stage.SOLUTION_PROPOSED.label
'solution proposed'

Everything public is re-exported here, and reports this module as its home
(``sr.Case.__module__ == "service_recovery"``), so tracebacks and reprs name
the public path. Modules with a leading underscore are private and may change.
"""

from typing import TYPE_CHECKING, Any

from . import presets
from ._decision._diagram import diagram
from ._decision._guidance import Guidance, Suggestion
from ._decision._judge import GuardTable, Judge
from ._decision._verify import (
    Counterexample,
    Move,
    Property,
    PropertyResult,
    VerificationReport,
    verify,
)
from ._desk._desk import Delivery, Desk
from ._desk._effects import Backoff, EffectContext, Effects
from ._desk._store import Store
from ._errors import (
    CaseExists,
    CaseNotFound,
    IdempotencyConflict,
    InvalidHistory,
    InvalidPolicy,
    InvalidSnapshot,
    InvalidValue,
    PolicyMismatch,
    RecoveryError,
    StaleCase,
    StoreCorrupted,
    StoreSchemaUnsupported,
    Veto,
)
from ._hooks import Hook, HookContext, HookPoint, Hooks
from ._io._snapshot import SCHEMA_VERSION, from_dict, to_dict
from ._model._case import Case
from ._model._commands import (
    AcceptSolution,
    Acknowledge,
    Apologize,
    Approve,
    AwaitCustomer,
    AwaitThirdParty,
    Close,
    Command,
    CompleteAction,
    DeclineSolution,
    Escalate,
    FinishVenting,
    FollowUp,
    IdentifyCause,
    Listen,
    Open,
    ProposeSolution,
    RecordBreach,
    RecordPrevention,
    ReflectBack,
    Reopen,
    Reschedule,
    Resume,
    SendUpdate,
    Thank,
    Withdraw,
)
from ._model._events import Event
from ._model._history import History
from ._model._kinds import DeadlineKind, DeadlineStatus, PromiseStatus, WaitingOn
from ._model._refusals import CommandVetoed, HookFailed, Reason, TransitionNotAllowed
from ._model._stages import Stage
from ._model._values import (
    SYSTEM,
    Action,
    Actor,
    Channel,
    Compensation,
    CompensationKind,
    Customer,
    FollowUpOutcome,
    Money,
    Role,
    Severity,
    WithdrawalReason,
)
from ._public import fixup_module_metadata
from ._rulebook._calendar import BusinessCalendar, Weekday
from ._rulebook._graph import DEFAULT_GRAPH, Edge, Route, StageGraph, outcome_is
from ._rulebook._guard_types import Guard
from ._rulebook._policy import RecoveryPolicy
from ._rulebook._rules import CompensationRung, Playbook, Remedy, Requirement, Step
from ._rulebook._service_levels import ServiceLevels
from ._time._clock import Clock, FixedClock, SystemClock
from ._time._deadlines import Deadline
from ._time._due import Due, DueList
from ._time._pauses import Pause, pauses
from ._time._promises import Promise, broken_promises, promises
from ._workflow import Workflow

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_GRAPH",
    "SCHEMA_VERSION",
    "SYSTEM",
    "AcceptSolution",
    "Acknowledge",
    "Action",
    "Actor",
    "Apologize",
    "Approve",
    "AwaitCustomer",
    "AwaitThirdParty",
    "Backoff",
    "BusinessCalendar",
    "Case",
    "CaseExists",
    "CaseNotFound",
    "Channel",
    "Clock",
    "Close",
    "Command",
    "CommandVetoed",
    "Compensation",
    "CompensationKind",
    "CompensationRung",
    "CompleteAction",
    "Counterexample",
    "Customer",
    "Deadline",
    "DeadlineKind",
    "DeadlineStatus",
    "DeclineSolution",
    "Delivery",
    "Desk",
    "Due",
    "DueList",
    "Edge",
    "EffectContext",
    "Effects",
    "Escalate",
    "Event",
    "FinishVenting",
    "FixedClock",
    "FollowUp",
    "FollowUpOutcome",
    "Guard",
    "GuardTable",
    "Guidance",
    "History",
    "Hook",
    "HookContext",
    "HookFailed",
    "HookPoint",
    "Hooks",
    "IdempotencyConflict",
    "IdentifyCause",
    "InvalidHistory",
    "InvalidPolicy",
    "InvalidSnapshot",
    "InvalidValue",
    "Judge",
    "Listen",
    "Money",
    "Move",
    "Open",
    "Pause",
    "Playbook",
    "PolicyMismatch",
    "Promise",
    "PromiseStatus",
    "Property",
    "PropertyResult",
    "ProposeSolution",
    "Reason",
    "RecordBreach",
    "RecordPrevention",
    "RecoveryError",
    "RecoveryPolicy",
    "ReflectBack",
    "Remedy",
    "Reopen",
    "Requirement",
    "Reschedule",
    "Resume",
    "Role",
    "Route",
    "SendUpdate",
    "ServiceLevels",
    "Severity",
    "Stage",
    "StageGraph",
    "StaleCase",
    "Step",
    "Store",
    "StoreCorrupted",
    "StoreSchemaUnsupported",
    "Suggestion",
    "SystemClock",
    "Thank",
    "TransitionNotAllowed",
    "VerificationReport",
    "Veto",
    "WaitingOn",
    "Weekday",
    "Withdraw",
    "WithdrawalReason",
    "Workflow",
    "broken_promises",
    "diagram",
    "from_dict",
    "outcome_is",
    "pauses",
    "presets",
    "promises",
    "testing",
    "to_dict",
    "verify",
]

fixup_module_metadata(__name__, __all__)
del fixup_module_metadata

if TYPE_CHECKING:
    from . import testing
else:
    # sr.testing is the [testing] extra's toolkit: imported on first use, never by the
    # core. Hidden from type checkers, which would otherwise accept any sr.<typo>.
    def __getattr__(name: str) -> Any:
        if name == "testing":
            import importlib

            return importlib.import_module(".testing", __name__)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
