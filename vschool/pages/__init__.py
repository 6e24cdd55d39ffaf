"""One module per route. Importing this package registers every page."""

from vschool.pages import admin_ai, admin_staff, customers, inbox, login, overview, workspaces  # noqa: F401
