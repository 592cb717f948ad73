"""One converter: typed values to plain data and back, by their attrs types.

Sits just above the model, so the rulebook reads policy files with it and
``_io`` reads snapshots with it. It knows the model's values (aware datetimes
with named zones, money, enums by value, tuples); a layer above registers its
own hooks on its own converter instance (the rulebook: routes, command types,
durations, calendars). Problems are collected, never raised one at a time,
and every path is added here: a hook says what is wrong, the converter says
where.

Two modes: *strict* (:mod:`._strict`, snapshots: every reader compiled once
per type, unknown keys are problems) and *patch* (:mod:`._patch`, policy
files: a partial table patches a base value).
"""
