"""Credential export: items from each source, rendered as .env, JSON or a ZIP of them."""
