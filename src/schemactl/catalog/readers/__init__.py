"""Readers of object kinds beyond tables, one module per kind, registered in introspect.READERS."""
