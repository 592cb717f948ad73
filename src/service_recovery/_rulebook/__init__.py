"""The rulebook: graphs, guard types, rules, calendars, service levels and policies.

It also holds the defaults, the named models behind ``presets`` and policy files.
Imports only the model (and ``_errors``): rules are data about cases.
"""
