"""The built-in Meta simulator (`vschool simulator`)."""
