"""One module per route. Importing this package registers every page."""

from vschool.pages import admin_ai, admin_staff, customers, inbox, login, marketing, overview, workspaces  # noqa: F401
