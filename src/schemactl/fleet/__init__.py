"""One schema, many databases: targets, scheduling and the fleet's report.

Each target is an ordinary plan or apply (its own connection, advisory lock,
transaction and history row); the fleet decides which targets run when, loads
the desired state once, and gathers one report. No state lives outside the
targets: running a fleet command again picks up what is still pending.
"""
