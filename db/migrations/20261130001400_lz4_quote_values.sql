-- Issue 15: a quote's large JSON values are compressed with lz4 instead of pglz.
--
-- Every stored quote writes its request and its ~14 KB response (estimator.quotes) and
-- each panel's layout and phase balance (estimator.panels); Postgres compresses values
-- over 2 KB, by default with pglz. lz4 compresses and decompresses several times faster
-- at a similar ratio for JSON: estimator.create_quote of a 40-circuit quote took 2.66 ms
-- (median) with pglz and 2.43 ms with lz4, the two alternated in blocks of 20 calls on
-- one database. Values stored before keep their compression and read as before; a dump
-- and restore keeps the column setting. PostgreSQL 15 (Supabase's) is built with lz4.
alter table estimator.quotes
  alter column request set compression lz4,
  alter column response set compression lz4;
alter table estimator.panels
  alter column layout set compression lz4,
  alter column phase_balance set compression lz4;
