"""Extension points for later apps, kept explicit (no signals):
- SUBMIT_GATES: functions review -> list of Vietnamese problems that block submission;
- ON_FINAL: functions (*, actor, review) run when a report becomes final."""
SUBMIT_GATES: list = []
ON_FINAL: list = []
