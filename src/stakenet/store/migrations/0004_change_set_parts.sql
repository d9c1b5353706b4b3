-- A revision's change set may now be written in several parts: a streamed import writes one
-- part per chunk as it goes, inside its one transaction, instead of holding every row of the
-- document until the end. `seq` orders the parts; the parts of one revision are consecutive.

CREATE TABLE change_set_parts (
    seq INTEGER PRIMARY KEY,
    revision INTEGER NOT NULL,
    changes TEXT NOT NULL
);

INSERT INTO change_set_parts (revision, changes)
SELECT revision, changes FROM change_sets ORDER BY revision;

DROP TABLE change_sets;

ALTER TABLE change_set_parts RENAME TO change_sets;

CREATE INDEX change_sets_by_revision ON change_sets (revision);
