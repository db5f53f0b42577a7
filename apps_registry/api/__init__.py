"""Keyport's HTTP API (django-ninja): the schema is generated from this code, never written."""
