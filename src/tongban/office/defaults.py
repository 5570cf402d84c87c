"""The office's starting configuration: the classification each role may read and the time
limit of each office step. Pure data, so the migration that seeds a new database and the
service that restores missing rows (a test database flushed between tests, an
administrator who deleted a row) share it."""

from __future__ import annotations

# role -> highest classification it may read (0 非密, 1 内部, 2 秘密, 3 机密)
CLEARANCES = {
    "window_clerk": 1,
    "reviewer": 1,
    "dispatcher": 1,
    "supervisor": 1,
    "data_steward": 0,
    "sysadmin": 0,
    "head": 2,
    "leader": 3,
}
# (process, step, working days, warn days before the deadline)
STEP_LIMITS = [
    ("office_outgoing", "review", 1, 0),
    ("office_outgoing", "countersign", 3, 1),
    ("office_outgoing", "sign", 2, 1),
    ("office_outgoing", "issue", 1, 0),
    ("office_incoming", "register", 1, 0),
    ("office_incoming", "propose", 1, 0),
    ("office_incoming", "instruct", 2, 1),
    ("office_incoming", "handle", 5, 1),
    ("office_incoming", "file", 2, 1),
]
