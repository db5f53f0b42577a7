"""Use ``KeyportAdminSite`` as the default admin site (``admin.site``)."""

from django.contrib.admin.apps import AdminConfig


class KeyportAdminConfig(AdminConfig):
    default_site = "config.admin_site.KeyportAdminSite"
