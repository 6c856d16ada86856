"""Qt only: windows, widgets, item models and workers. No business logic."""
