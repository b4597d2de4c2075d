-- Quote numbers: Q-{year}-{n:06}, unique and gap-free per year (Asia/Seoul), assigned in
-- the storing transaction; a replay consumes none; the stored response carries it.
begin;
\ir ../helpers/fixtures.psql

select plan(10);

-- A minimal valid payload for quote `qid` with key `key`, issued at `at`.
create function tests.numbered(qid uuid, key text, at text) returns jsonb
language sql
as $$
  select jsonb_build_object(
    'id', qid, 'idempotency_key', key, 'status', 'issued',
    'request', jsonb_build_object('brand', 'SANGDO'),
    'request_sha256', repeat('a', 64),
    'response', jsonb_build_object('status', 'issued'),
    'catalog_version_id', 'c0000000-0000-4000-8000-000000000001',
    'catalog_label', 'test-v1', 'catalog_sha256', repeat('c', 64),
    'subtotal', 1, 'vat', 0, 'grand_total', 1,
    'evidence_root_sha256', repeat('e', 64), 'issued_at', at)
$$;
grant execute on function tests.numbered(uuid, text, text) to service_role;

-- Years the fixtures never use, so the numbers start at 1 whatever else is stored.
select tests.act_as('server:alice');
select estimator.create_quote(tests.numbered('a0000000-0000-4000-8000-00000000d001', 'qn-1', '2091-03-01T00:00:00Z'));
select estimator.create_quote(tests.numbered('a0000000-0000-4000-8000-00000000d002', 'qn-2', '2091-03-01T00:00:00Z'));
select estimator.create_quote(tests.numbered('a0000000-0000-4000-8000-00000000d002', 'qn-2', '2091-03-01T00:00:00Z'));
select tests.act_as('server:bob');
select estimator.create_quote(tests.numbered('b0000000-0000-4000-8000-00000000d003', 'qn-3', '2091-12-31T16:00:00Z'));
select estimator.create_quote(tests.numbered('b0000000-0000-4000-8000-00000000d004', 'qn-4', '2091-12-31T14:59:59Z'));
select tests.act_as('postgres');

select results_eq(
  $$select quote_number from estimator.quotes
     where id in ('a0000000-0000-4000-8000-00000000d001', 'a0000000-0000-4000-8000-00000000d002',
                  'b0000000-0000-4000-8000-00000000d004')
     order by quote_number$$,
  $$values ('Q-2091-000001'), ('Q-2091-000002'), ('Q-2091-000003')$$,
  'numbers of a year are sequential across users, and a replay consumes none');
select is((select quote_number from estimator.quotes where id = 'b0000000-0000-4000-8000-00000000d003'),
  'Q-2092-000001', 'the year is Korea''s: 2091-12-31 16:00 UTC is 2092-01-01 in Seoul');
select is((select response ->> 'quote_number' from estimator.quotes where id = 'a0000000-0000-4000-8000-00000000d002'),
  'Q-2091-000002', 'the stored response (replayed for the same key) carries the number');
select is((select last_number from estimator.quote_number_counters where year = 2091), 3,
  'the counter holds the last number handed out');

-- A failed store gives its number back: the counter rolls back with the quote.
select is(tests.try('server:alice', $$select estimator.create_quote(jsonb_set(
            tests.numbered('a0000000-0000-4000-8000-00000000d005', 'qn-5', '2091-06-01T00:00:00Z'),
            '{status}', '"bogus"'))$$),
  'error:23514', 'a quote that cannot be stored is refused');
select tests.act_as('server:alice');
select estimator.create_quote(tests.numbered('a0000000-0000-4000-8000-00000000d006', 'qn-6', '2091-06-01T00:00:00Z'));
select tests.act_as('postgres');
select is((select quote_number from estimator.quotes where id = 'a0000000-0000-4000-8000-00000000d006'),
  'Q-2091-000004', 'no gap after a refused quote');

select is(tests.try('alice', $$select quote_number from estimator.quotes where quote_number = 'Q-2091-000002'$$),
  'ok:1', 'an owner finds a quote by its number');
select is(tests.try('bob', $$select quote_number from estimator.quotes where quote_number = 'Q-2091-000002'$$),
  'ok:0', 'another user does not');
select is(tests.try('alice', $$update estimator.quote_number_counters set last_number = 1$$),
  'denied', 'users cannot touch the counters');
-- A stored quote's number cannot change (quotes are immutable), and a row that arrives
-- numbered (a restore) cannot take a number already held by the same revision.
select throws_ok(
  $$insert into estimator.quotes (owner, idempotency_key, status, request, request_sha256,
      catalog_version_id, catalog_label, catalog_sha256, subtotal, vat, grand_total,
      evidence_root_sha256, quote_number)
    values ('b0b00000-0000-4000-8000-000000000002', 'qn-restore', 'issued', '{}', repeat('a', 64),
      'c0000000-0000-4000-8000-000000000001', 'test-v1', repeat('c', 64), 0, 0, 0, repeat('e', 64),
      'Q-2091-000001')$$,
  '23505', null, 'a number is never given twice');

select * from finish();
rollback;
