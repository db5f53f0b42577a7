"""Key-expiry alerts: a level-triggered scan, claimed rows, one digest per organization.

``due`` decides what is due, ``claims`` records it (the scan service), ``digest`` builds
the messages, ``delivery`` sends them exactly once, ``backoff`` spaces retries and
``schedule`` keeps the beat entries in step with the plug-in registry.
"""
