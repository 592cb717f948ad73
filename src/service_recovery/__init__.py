"""service-recovery: run every complaint through a workflow that enforces the practice.

>>> import service_recovery as sr
>>> workflow = sr.Workflow()              # the default policy
>>> sr.Stage.SOLUTION_PROPOSED.label
'solution proposed'

Everything public is re-exported here; modules with a leading underscore are
private and may change.
"""

from ._case import Case
from ._commands import (
    AcceptSolution,
    Acknowledge,
    Apologize,
    Approve,
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
    ReflectBack,
    Reopen,
    SendUpdate,
)
from ._errors import (
    CommandVetoed,
    HookFailed,
    IdempotencyConflict,
    InvalidHistory,
    InvalidPolicy,
    InvalidSnapshot,
    InvalidValue,
    RecoveryError,
    TransitionNotAllowed,
    Veto,
)
from ._events import Event
from ._graph import DEFAULT_GRAPH, Edge, Route, StageGraph, outcome_is
from ._guards import Guard, Reason
from ._hooks import Hook, HookContext, Hooks
from ._policy import RecoveryPolicy
from ._serialization import SCHEMA_VERSION, from_dict, to_dict
from ._stages import Stage
from ._values import (
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
)
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
    "Case",
    "Channel",
    "Close",
    "Command",
    "CommandVetoed",
    "Compensation",
    "CompensationKind",
    "CompleteAction",
    "Customer",
    "DeclineSolution",
    "Edge",
    "Escalate",
    "Event",
    "FinishVenting",
    "FollowUp",
    "FollowUpOutcome",
    "Guard",
    "Hook",
    "HookContext",
    "HookFailed",
    "Hooks",
    "IdempotencyConflict",
    "IdentifyCause",
    "InvalidHistory",
    "InvalidPolicy",
    "InvalidSnapshot",
    "InvalidValue",
    "Listen",
    "Money",
    "Open",
    "ProposeSolution",
    "Reason",
    "RecoveryError",
    "RecoveryPolicy",
    "ReflectBack",
    "Reopen",
    "Role",
    "Route",
    "SendUpdate",
    "Severity",
    "Stage",
    "StageGraph",
    "TransitionNotAllowed",
    "Veto",
    "Workflow",
    "from_dict",
    "outcome_is",
    "to_dict",
]
