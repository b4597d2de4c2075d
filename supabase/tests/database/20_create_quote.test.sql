-- estimator.create_quote: one call stores a quote with all its lines, panels, breakers,
-- documents and evidence, or nothing at all; the owner comes from the token; an
-- idempotency key replays or is refused.
begin;
\ir ../helpers/fixtures.psql

select plan(35);

-- A valid payload for quote `qid` with idempotency key `key` (2 lines, 2 panels with
-- 3 + 1 breakers, 1 document, 2 evidence blobs).
create function tests.payload(qid uuid, key text) returns jsonb
language sql
as $$
  select jsonb_build_object(
    'id', qid,
    'idempotency_key', key,
    'status', 'issued',
    'request', jsonb_build_object('brand', 'SANGDO', 'main', jsonb_build_object('af', 100, 'poles', '4P')),
    'request_sha256', repeat('a', 64),
    'response', jsonb_build_object('quote_id', qid, 'status', 'issued'),
    'catalog_version_id', 'c0000000-0000-4000-8000-000000000001',
    'catalog_label', 'test-v1',
    'catalog_sha256', repeat('c', 64),
    'subtotal', 160000, 'vat', 16000, 'grand_total', 176000,
    'evidence_root_sha256', repeat('e', 64),
    'issued_at', '2026-01-01T00:00:00Z',
    'items', jsonb_build_array(
      jsonb_build_object('section', 'ENCLOSURE', 'item', 'HDS', 'spec', '600x700x150', 'unit', 'EA',
                         'qty', 1, 'unit_price', 100000, 'amount', 100000),
      jsonb_build_object('section', 'BRANCHES', 'item', 'SBE-52', 'spec', '2P 20A', 'unit', 'EA',
                         'qty', 6, 'unit_price', 10000, 'amount', 60000)),
    'panels', jsonb_build_array(
      jsonb_build_object(
        'label', 'P1', 'enclosure_model', 'HDS-600-700-150',
        'enclosure_w_mm', 600, 'enclosure_h_mm', 700, 'enclosure_d_mm', 150,
        'required_w_mm', 600, 'required_h_mm', 700, 'required_d_mm', 150, 'fit_score', 1,
        'layout', jsonb_build_object('rows', 1), 'phase_balance', jsonb_build_object('imbalance', 0),
        'breakers', jsonb_build_array(
          jsonb_build_object('row', 0, 'side', null, 'phase', null, 'model', 'SBE-104', 'af', 100, 'at', 75,
                             'poles', 4, 'load_a', 0, 'role', 'main'),
          jsonb_build_object('row', 1, 'side', 'L', 'phase', 'R', 'model', 'SBE-52', 'af', 50, 'at', 20,
                             'poles', 2, 'load_a', 20, 'role', 'branch'),
          jsonb_build_object('row', 1, 'side', 'R', 'phase', 'S', 'model', 'SBE-52', 'af', 50, 'at', 20,
                             'poles', 2, 'load_a', 20, 'role', 'branch'))),
      jsonb_build_object(
        'enclosure_model', 'HDS-500-600-150',
        'enclosure_w_mm', 500, 'enclosure_h_mm', 600, 'enclosure_d_mm', 150,
        'required_w_mm', 500, 'required_h_mm', 550, 'required_d_mm', 150, 'fit_score', 0.9167,
        'layout', '{}'::jsonb, 'phase_balance', '{}'::jsonb,
        'breakers', jsonb_build_array(
          jsonb_build_object('row', 0, 'model', 'SBE-52', 'af', 50, 'at', 30, 'poles', 2, 'role', 'main')))),
    'documents', jsonb_build_array(
      jsonb_build_object('kind', 'quote_pdf', 'storage_path', 'quote/' || qid || '/quote.pdf',
                         'sha256', repeat('d', 64), 'content_type', 'application/pdf', 'size_bytes', 2048)),
    'evidence', jsonb_build_array(
      jsonb_build_object('stage', 'input', 'storage_path', 'quote/' || qid || '/input/' || repeat('1', 64) || '.json',
                         'sha256', repeat('1', 64), 'size_bytes', 100),
      jsonb_build_object('stage', 'enclosure', 'storage_path', 'quote/' || qid || '/enclosure/' || repeat('2', 64) || '.json',
                         'sha256', repeat('2', 64), 'size_bytes', 200)))
$$;
grant execute on function tests.payload(uuid, text) to anon, authenticated, service_role;

-- Number of rows stored for a quote across all the tables, as the database owner sees them.
create function tests.rows_of(qid uuid) returns text
language sql
as $$
  select format('quotes=%s items=%s panels=%s breakers=%s documents=%s evidence=%s',
    (select count(*) from estimator.quotes where id = qid),
    (select count(*) from estimator.quote_items where quote_id = qid),
    (select count(*) from estimator.panels where quote_id = qid),
    (select count(*) from estimator.breakers b join estimator.panels p on p.id = b.panel_id where p.quote_id = qid),
    (select count(*) from estimator.documents where quote_id = qid),
    (select count(*) from estimator.evidence_blobs where quote_id = qid))
$$;

-- The happy path: the functions (service_role) for alice ---------------------------------------------------------------------
select tests.act_as('server:alice');
select is(estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c01', 'cq-1')),
  'a0000000-0000-4000-8000-000000000c01'::uuid, 'create_quote returns the stored quote id');
select tests.act_as('postgres');
select is(tests.rows_of('a0000000-0000-4000-8000-000000000c01'),
  'quotes=1 items=2 panels=2 breakers=4 documents=1 evidence=2',
  'one call stores the quote with every line, panel, breaker, document and evidence row');
select is((select owner from estimator.quotes where id = 'a0000000-0000-4000-8000-000000000c01'),
  'a11ce000-0000-4000-8000-000000000001'::uuid, 'the owner is the verified user (auth.uid())');
select is((select count(distinct owner)::integer from (
            select owner from estimator.quote_items where quote_id = 'a0000000-0000-4000-8000-000000000c01'
            union all select owner from estimator.panels where quote_id = 'a0000000-0000-4000-8000-000000000c01'
            union all select owner from estimator.evidence_blobs where quote_id = 'a0000000-0000-4000-8000-000000000c01') as o),
  1, 'every child row carries the same owner');
select results_eq(
  $$select position, section, qty, unit_price, amount from estimator.quote_items
     where quote_id = 'a0000000-0000-4000-8000-000000000c01' order by position$$,
  $$values (0, 'ENCLOSURE', 1.00::numeric, 100000::bigint, 100000::bigint),
           (1, 'BRANCHES', 6.00::numeric, 10000::bigint, 60000::bigint)$$,
  'lines keep their order (position) and values');
select results_eq(
  $$select p.position, count(b.*)::integer from estimator.panels p
      left join estimator.breakers b on b.panel_id = p.id
     where p.quote_id = 'a0000000-0000-4000-8000-000000000c01' group by p.position order by p.position$$,
  $$values (0, 3), (1, 1)$$,
  'each panel gets its own breakers');
select is((select response ->> 'status' from estimator.quotes where id = 'a0000000-0000-4000-8000-000000000c01'),
  'issued', 'the response is stored for replays');
select is((select issued_at from estimator.quotes where id = 'a0000000-0000-4000-8000-000000000c01'),
  '2026-01-01T00:00:00Z'::timestamptz, 'issued_at is taken from the payload');
select is((select count(*)::integer from shared.audit_logs
            where action = 'quote.create' and target = 'quote:a0000000-0000-4000-8000-000000000c01'
              and actor = 'a11ce000-0000-4000-8000-000000000001'),
  1, 'creating a quote writes an audit entry');
select is(tests.try('bob', $$select 1 from estimator.quotes where id = 'a0000000-0000-4000-8000-000000000c01'$$),
  'ok:0', 'the new quote is invisible to another user');

-- Idempotency ------------------------------------------------------------------------------------
select is(tests.try('server:alice', $$select estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c02', 'cq-1'))
                               where estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c02', 'cq-1'))
                                     = 'a0000000-0000-4000-8000-000000000c01'$$),
  'ok:1', 'the same key and request return the stored quote id');
select tests.act_as('server:alice');
select estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c02', 'cq-1'));
select tests.act_as('postgres');
select is(tests.rows_of('a0000000-0000-4000-8000-000000000c02'),
  'quotes=0 items=0 panels=0 breakers=0 documents=0 evidence=0', 'a replay writes nothing');
select is(tests.rows_of('a0000000-0000-4000-8000-000000000c01'),
  'quotes=1 items=2 panels=2 breakers=4 documents=1 evidence=2', 'a replay leaves the stored quote as it was');
select is(tests.try('server:alice', $$select estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c02', 'cq-1')
                                  || jsonb_build_object('request_sha256', repeat('9', 64)))$$),
  'error:PT422', 'the same key with another request is refused (IDEMPOTENCY_KEY_REUSED)');
select is(tests.try('server:bob', $$select estimator.create_quote(tests.payload('b0000000-0000-4000-8000-000000000c01', 'cq-1'))$$),
  'ok:1', 'keys are per owner: another user may use the same key');

-- All or nothing ---------------------------------------------------------------------------------
select is(tests.try('server:alice', $$select estimator.create_quote(jsonb_set(tests.payload('a0000000-0000-4000-8000-000000000c03', 'cq-bad-item'),
                                  '{items,1,qty}', '-1'))$$),
  'error:23514', 'a line with a negative quantity is refused');
select is(tests.try('server:alice', $$select estimator.create_quote(jsonb_set(tests.payload('a0000000-0000-4000-8000-000000000c03', 'cq-bad-item'),
                                  '{items,1,amount}', '"60000.5"'))$$),
  'error:22P02', 'a fractional amount of money is refused');
select is(tests.try('server:alice', $$select estimator.create_quote(jsonb_set(tests.payload('a0000000-0000-4000-8000-000000000c03', 'cq-bad-breaker'),
                                  '{panels,1,breakers,0,poles}', '5'))$$),
  'error:23514', 'a breaker with 5 poles in the last panel is refused');
select is(tests.try('server:alice', $$select estimator.create_quote(jsonb_set(tests.payload('a0000000-0000-4000-8000-000000000c03', 'cq-bad-evidence'),
                                  '{evidence,1,sha256}', '"NOT-A-HASH"'))$$),
  'error:23514', 'evidence with a malformed sha256 (the last row written) is refused');
select is(tests.try('server:alice', $$select estimator.create_quote(jsonb_set(tests.payload('a0000000-0000-4000-8000-000000000c03', 'cq-bad-path'),
                                  '{documents,0,storage_path}', '"quote/b0000000-0000-4000-8000-0000000000b1/quote.pdf"'))$$),
  'error:23514', 'a document stored under another quote''s folder is refused');
-- Run the failing calls as plain statements (no tests.try) and check nothing stayed.
select tests.act_as('server:alice');
select throws_ok(
  $$select estimator.create_quote(jsonb_set(tests.payload('a0000000-0000-4000-8000-000000000c03', 'cq-bad-item'), '{items,1,qty}', '-1'))$$,
  '23514', null, 'create_quote with a bad item raises');
select throws_ok(
  $$select estimator.create_quote(jsonb_set(tests.payload('a0000000-0000-4000-8000-000000000c04', 'cq-bad-breaker'), '{panels,1,breakers,0,poles}', '5'))$$,
  '23514', null, 'create_quote with a bad breaker raises');
select tests.act_as('postgres');
select is(tests.rows_of('a0000000-0000-4000-8000-000000000c03') || ' / ' || tests.rows_of('a0000000-0000-4000-8000-000000000c04'),
  'quotes=0 items=0 panels=0 breakers=0 documents=0 evidence=0 / quotes=0 items=0 panels=0 breakers=0 documents=0 evidence=0',
  'a bad item or breaker leaves no quote and no row under it');
select is((select count(*)::integer from estimator.quotes where idempotency_key like 'cq-bad-%'),
  0, 'a failed create_quote leaves its idempotency key unused');

-- Shape and ownership ----------------------------------------------------------------------------
select is(tests.try('server:alice', $$select estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c05', 'cq-5')
                                  || '{"discount": 10}')$$),
  'error:22023', 'unknown payload keys are refused');
select is(tests.try('server:alice', $$select estimator.create_quote(jsonb_set(tests.payload('a0000000-0000-4000-8000-000000000c05', 'cq-5'),
                                  '{items,0,colour}', '"red"'))$$),
  'error:22023', 'unknown keys in a line are refused');
select is(tests.try('server:alice', $$select estimator.create_quote('[]')$$),
  'error:22023', 'a payload that is not an object is refused');
select is(tests.try('server:alice', $$select estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c05', 'cq-5')
                                  || '{"catalog_sha256": "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}')$$),
  'error:22023', 'a catalog hash that does not match the version is refused');
select is(tests.try('alice', $$select estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c05', 'cq-5')
                                  || '{"owner": "b0b00000-0000-4000-8000-000000000002"}')$$),
  'denied', 'an authenticated user cannot name the owner');
select is(tests.try('anon', $$select estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c05', 'cq-5'))$$),
  'denied', 'anon cannot call create_quote');
select is(tests.try('service_role', $$select estimator.create_quote(tests.payload('a0000000-0000-4000-8000-000000000c05', 'cq-5'))$$),
  'denied', 'service_role must name an owner when there is no user');

select tests.act_as('service_role');
select is(estimator.create_quote(tests.payload('b0000000-0000-4000-8000-000000000c06', 'cq-6')
            || '{"owner": "b0b00000-0000-4000-8000-000000000002"}'),
  'b0000000-0000-4000-8000-000000000c06'::uuid, 'service_role may store a quote for a named owner');
select tests.act_as('postgres');
select is((select owner from estimator.quotes where id = 'b0000000-0000-4000-8000-000000000c06'),
  'b0b00000-0000-4000-8000-000000000002'::uuid, 'the quote belongs to the named owner');
select is(tests.rows_of('b0000000-0000-4000-8000-000000000c06'),
  'quotes=1 items=2 panels=2 breakers=4 documents=1 evidence=2', 'service_role stores everything too');

-- The large JSON values are compressed with lz4 (20261130001400).
select is(
  (select array_agg(a.attrelid::regclass || '.' || a.attname || ':' || a.attcompression::text
                    order by a.attrelid::regclass::text, a.attname)
     from pg_attribute as a
    where (a.attrelid, a.attname) in (('estimator.quotes'::regclass, 'request'),
                                      ('estimator.quotes'::regclass, 'response'),
                                      ('estimator.panels'::regclass, 'layout'),
                                      ('estimator.panels'::regclass, 'phase_balance'))),
  array['estimator.panels.layout:l', 'estimator.panels.phase_balance:l',
        'estimator.quotes.request:l', 'estimator.quotes.response:l'],
  'the request, response, layout and phase balance are compressed with lz4');

select * from finish();
rollback;
