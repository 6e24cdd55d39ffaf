"""One module per route. Importing this package registers every page."""

from vschool.pages import (  # noqa: F401
    account,
    admin_ai,
    admin_automation,
    admin_events,
    admin_hours,
    admin_import,
    admin_integrity,
    admin_library,
    admin_staff,
    customers,
    data_export,
    inbox,
    knowledge,
    login,
    marketing,
    overview,
    reports,
    workspaces,
)
