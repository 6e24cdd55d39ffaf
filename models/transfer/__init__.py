"""Bringing data in from elsewhere (the old system, spreadsheets) and letting it out again."""
