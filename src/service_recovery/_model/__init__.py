"""The model: values, stages, commands, events, histories and the case they fold into.

Imports only ``_errors``. Nothing here knows a policy, a guard or a clock: a case
is what its events say, whatever the rules were.
"""
