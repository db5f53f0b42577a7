"""Views outside the stock admin pages (they still use the admin's login and look)."""
