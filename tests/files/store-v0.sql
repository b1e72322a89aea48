-- A notes database as drillbook wrote it before schema versions (user_version 0), dumped with
-- sqlite3 iterdump from a file the store of commit 5fecbf5 created; the migration tests load it.
BEGIN TRANSACTION;
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    scenario_id TEXT NOT NULL,
    round_id TEXT NOT NULL,
    grp TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO "notes" VALUES(1,'bond-failover','alert','blue','ana','Check the BMC console first','2026-12-02T09:25:25+00:00','2026-12-02T09:25:25+00:00');
INSERT INTO "notes" VALUES(2,'bond-failover','triage','blue','bo','MII down but link up?','2026-12-02T09:25:25+00:00','2026-12-02T09:25:25+00:00');
CREATE TABLE progress (
    grp TEXT NOT NULL,
    learner TEXT NOT NULL,
    scenario_id TEXT NOT NULL,
    path_code TEXT NOT NULL,
    finished INTEGER NOT NULL,
    total_minutes INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (grp, learner, scenario_id)
);
INSERT INTO "progress" VALUES('blue','ana','bond-failover','B-A',0,10,'2026-12-02T09:25:25+00:00');
CREATE INDEX notes_by_round ON notes (grp, scenario_id, round_id);
COMMIT;
