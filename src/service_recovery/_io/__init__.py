"""Snapshots and the published policy schema: cases and policies as JSON-safe data.

Sits above the workflow: loading a snapshot with a workflow replays its history.
"""
