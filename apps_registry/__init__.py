"""The application registry, and the shared kernel other Keyport apps build on.

Design and flows: ``docs/architecture.md``. Where things live:

**Kernel** (other apps such as ``connections`` may import these):

* ``models.Organization`` (``models/organizations.py``): tenants, key lifetimes, alert settings.
* ``audit.audit_record`` and ``models.AuditEvent``: the append-only audit log (never a secret).
* ``actors.Actor``: who acts (a request's user, ``cli:<user>`` or ``system``).
* ``fields`` (encrypted model fields that raise on a wrong key and refuse writes while the
  canary does not decrypt, and ``last_four``, the most of a secret a page may show),
  ``crypto`` (the Fernet keys),
  ``checks`` (the start-up canary), ``services.key_rotation`` (re-encryption).
* ``plugins``: the registries another app fills in from its ``AppConfig.ready()`` (export
  sources, dashboard metrics, beat entries), so this package never imports them.
* ``roles``: the shipped groups (Operator, Credential exporter, Auditor, Organization admin)
  and the export permission (``EXPORT_PERMISSION``).
* ``updates.model_update``: how every ``*_update`` service changes a row and learns, from the
  model, what changed (the audit row's ``changed``).
* ``admin.scoping``: organization scoping for every ``ModelAdmin`` (another tenant's object is
  a 404); ``selectors.organizations_for_user`` / ``scope_to_user`` for the same in reads.
* ``admin.history.KeyportHistoryMixin``: an object's History page from the audit log, with
  ``audit_display`` (plain action names, readable details) and ``audit_history`` (the read).
* ``services.users.operator_create``: a staff user with one role and its organizations.
* ``validators``: redirect URLs (ports, browser-form hosts), list fields and
  ``validate_plain_text`` (one line, no control characters), messages as constants.
* ``show_once``, ``reauth``: the once-only secret hand-off and the password re-entry window.

**Registry** (the Zenoti-style "Manage Applications"; other apps do not import it):

* ``models``: ``Application``, ``RedirectURL``, ``ApiScope``, ``ApiKey``, ``ExpiryAlert``,
  ``VerifierToken`` (what a gateway holds to call the verification API).
* ``credentials``: generation and hashing of IDs, secrets and keys (no ORM).
* ``zenoti`` (the live check ``GET /v1/centers``, no ORM) with ``rate_limit`` and
  ``zenoti_client`` (bound to the ``ZENOTI_*`` settings); ``services/recorded_apps.py``,
  ``services/recorded_keys.py`` and ``services/zenoti_checks.py``: what Keyport does with
  credentials Zenoti issued (``Application.issuer``); ``zenoti_notifications``,
  ``zenoti_dashboard``, ``zenoti_forms``, ``admin/zenoti_views.py``: their email and screens.
* ``services/``: every write (keyword-only, atomic, audited); ``selectors``: every read.
* ``api/`` (django-ninja), ``services/verification.py``, ``selectors_verification.py``: key
  verification (``POST /api/v1/keys/verify``), never decrypting.
* ``alerts/``: the level-triggered expiry scan, claims, digests and delivery.
* ``export/`` and ``services/export.py``: ``.env``/JSON/ZIP export, audit before any byte;
  ``export/dotenv.py`` quotes each value so five ``.env`` readers read it back (or refuses).
* ``services/organizations.py``: organization settings and application deletion, audited
  with before/after values.
* ``admin/``, ``views/``, ``forms``, ``dashboard``, ``charts``: the screens, thin over services
  (``admin/keys.py`` and ``admin/key_filters.py``: the API keys list across applications).
* ``tasks``, ``management/commands/``: thin wrappers that call services and selectors.

Process plumbing (request ids, logs, redaction, headers, client IP, safe command output,
out-of-range input as a 400) is in ``plumbing/``; health, two-factor, the 503 for writes under
a wrong key (``fail_closed``) and URL wiring in ``config/``.
"""
