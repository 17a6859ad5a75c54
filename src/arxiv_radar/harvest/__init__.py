"""Harvesting: which announcements a run covers (calendar.py, plan.py) and the steps that fetch them
(steps.py). The HTTP side lives in sources/; this package decides what to ask and records failures."""
