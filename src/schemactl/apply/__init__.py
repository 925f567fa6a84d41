"""Executing plans against the target: locks, timeouts, transactions, history.

The package imports nothing itself: ``plan`` uses its preflight and rehearsal without
the executor (``apply.executor``) or the lock (``apply.lock``).
"""
