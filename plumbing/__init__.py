"""Process plumbing that knows nothing of Keyport's models or vendors.

Request ids (``request_id``), one-JSON-object log lines (``log_json``), the log filter that
blanks secrets (``log_redaction``), the content security policy header (``security_headers``)
and the client address behind trusted proxies (``client_ip``). Settings wire them in
(``config/settings/base.py``); ``apps_registry`` and ``connections`` may import them, and they
import nothing of Keyport's own. See ``docs/architecture.md``.
"""
