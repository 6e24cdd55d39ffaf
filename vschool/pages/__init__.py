"""One module per route. Importing this package registers every page."""

from vschool.pages import admin_staff, login, overview, workspaces  # noqa: F401
