"""Decisions: the guards, the engine and the one procedure that judges a command.

``apply``, ``explain``, ``allowed``, ``verify`` and ``diagram`` all ask the
same procedure. Imports time, the rulebook and the model.
"""
