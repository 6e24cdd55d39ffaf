"""The one client per Meta API, used only by actors: `graph.py` (Send API, profiles)."""
