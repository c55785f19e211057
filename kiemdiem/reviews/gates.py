"""Extension points for later apps, kept explicit (no signals):
- SUBMIT_GATES: functions review -> list of Vietnamese problems that block submission;
- ON_FINAL: functions (*, actor, review) run when a report becomes final;
- EDITOR_PANELS: functions review -> HTML shown in the editor (the period's task register);
- ON_LAUNCH: functions (*, actor, campaign) -> dict of counts, run at the end of every
  (re)launch inside its transaction (e.g. automatic residence-cell feedback requests)."""
SUBMIT_GATES: list = []
ON_FINAL: list = []
ON_LAUNCH: list = []
# EDITOR_PANELS: functions review -> safe HTML (or "") shown beside the report's editor, e.g. the
# subject's task register for the period (performance app)
EDITOR_PANELS: list = []
