"""Time: the clock, waits, promises, deadlines, what is due, and breaches.

Imports the rulebook and the model: every due time is derived from a case and
its policy, and nothing here reads the wall clock on its own.
"""
