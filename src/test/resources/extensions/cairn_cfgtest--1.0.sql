-- The extension's own rows are marked builtin; the registered filter leaves them out of dumps.
CREATE TABLE cfgtest_codes (id int PRIMARY KEY, label text NOT NULL, builtin boolean NOT NULL DEFAULT false);
INSERT INTO cfgtest_codes VALUES (1, 'shipped one', true), (2, 'shipped two', true);
SELECT pg_catalog.pg_extension_config_dump('cfgtest_codes', 'WHERE NOT builtin');
-- Registered without a filter: every row is the user's.
CREATE TABLE cfgtest_notes (k text PRIMARY KEY, v text);
SELECT pg_catalog.pg_extension_config_dump('cfgtest_notes', '');
CREATE SEQUENCE cfgtest_seq;
SELECT pg_catalog.pg_extension_config_dump('cfgtest_seq', '');
