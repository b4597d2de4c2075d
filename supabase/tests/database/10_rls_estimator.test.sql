-- Row-level security and grants of the estimator schema: allow/deny for select, insert,
-- update and delete by anon, the owner (alice), another user (bob), a catalog admin
-- (carol) and service_role. Users read their own rows and write none: quotes are
-- written by the functions only (service_role). Each statement runs in a subtransaction that is undone, so
-- every cell of the matrix starts from the same fixture.
--   ok:N   allowed, N rows      denied  no privilege (42501)      rls  refused by a policy
-- For another user's rows "ok:0" is the point: they are invisible, not forbidden (404,
-- not 403, at the API).
begin;
\ir ../helpers/fixtures.psql

select plan(135);

-- estimator.quotes ----------------------------------------------------------------------------
select tests.matrix('quotes: select alice''s quote',
  $$select 1 from estimator.quotes where id = 'a0000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'ok:1', 'ok:0', 'ok:0', 'ok:1']);
select tests.matrix('quotes: insert a quote owned by alice',
  $$insert into estimator.quotes (owner, idempotency_key, status, request, request_sha256,
      catalog_version_id, catalog_label, catalog_sha256, subtotal, vat, grand_total, evidence_root_sha256)
    values ('a11ce000-0000-4000-8000-000000000001', 'matrix-key', 'issued', '{}', repeat('a', 64),
      'c0000000-0000-4000-8000-000000000001', 'test-v1', repeat('c', 64), 0, 0, 0, repeat('e', 64))$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('quotes: update status of alice''s quote',
  $$update estimator.quotes set status = 'needs_review' where id = 'a0000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('quotes: delete alice''s quote',
  $$delete from estimator.quotes where id = 'a0000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);

-- Beyond the matrix: what users may not change even on their own quote.
select is(tests.try('alice', $$update estimator.quotes set grand_total = 1 where id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'denied', 'quotes: the owner cannot change totals (only status is updatable)');
select is(tests.try('alice', $$update estimator.quotes set status = 'issued', owner = 'b0b00000-0000-4000-8000-000000000002' where id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'denied', 'quotes: the owner cannot give a quote away');
select is(tests.try('bob', $$select 1 from estimator.quotes$$),
  'ok:1', 'quotes: a user lists only their own quotes');
-- Counted over the fixture users only: the local database may hold real quotes too.
select is(tests.try('service_role', $$select 1 from estimator.quotes where owner in ('a11ce000-0000-4000-8000-000000000001', 'b0b00000-0000-4000-8000-000000000002')$$),
  'ok:2', 'quotes: service_role lists every quote');
select is(tests.try('service_role', $$update estimator.quotes set status = 'bogus' where id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'error:23514', 'quotes: status is one of issued/needs_review/rejected');
select is(tests.try('service_role', $$insert into estimator.quotes (owner, idempotency_key, status, request, request_sha256,
      catalog_version_id, catalog_label, catalog_sha256, subtotal, vat, grand_total, evidence_root_sha256)
    values ('a11ce000-0000-4000-8000-000000000001', 'alice-key-1', 'issued', '{}', repeat('a', 64),
      'c0000000-0000-4000-8000-000000000001', 'test-v1', repeat('c', 64), 0, 0, 0, repeat('e', 64))$$),
  'error:23505', 'quotes: an idempotency key is unique per owner');
select is(tests.try('service_role', $$insert into estimator.quotes (owner, idempotency_key, status, request, request_sha256,
      catalog_version_id, catalog_label, catalog_sha256, subtotal, vat, grand_total, evidence_root_sha256)
    values ('b0b00000-0000-4000-8000-000000000002', 'alice-key-1', 'issued', '{}', repeat('a', 64),
      'c0000000-0000-4000-8000-000000000001', 'test-v1', repeat('c', 64), 0, 0, 0, repeat('e', 64))$$),
  'ok:1', 'quotes: another owner may use the same idempotency key');

-- estimator.quote_items -----------------------------------------------------------------------
select tests.matrix('quote_items: select alice''s line',
  $$select 1 from estimator.quote_items where id = 'a1000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:1', 'ok:0', 'ok:0', 'ok:1']);
select tests.matrix('quote_items: insert a line under alice''s quote',
  $$insert into estimator.quote_items (owner, quote_id, position, section, item, unit, qty, unit_price, amount)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 1,
            'MAIN', 'SBE-104', 'EA', 1, 5000, 5000)$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('quote_items: update alice''s line',
  $$update estimator.quote_items set qty = 2 where id = 'a1000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('quote_items: delete alice''s line',
  $$delete from estimator.quote_items where id = 'a1000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select is(tests.try('bob', $$insert into estimator.quote_items (owner, quote_id, position, section, item, unit, qty, unit_price, amount)
    values ('b0b00000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-0000000000a1', 1,
            'MAIN', 'SBE-104', 'EA', 1, 5000, 5000)$$),
  'denied', 'quote_items: a user cannot hang a line under another user''s quote as their own');

-- estimator.panels -----------------------------------------------------------------------------
select tests.matrix('panels: select alice''s panel',
  $$select 1 from estimator.panels where id = 'a2000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:1', 'ok:0', 'ok:0', 'ok:1']);
select tests.matrix('panels: insert a panel under alice''s quote',
  $$insert into estimator.panels (owner, quote_id, position, enclosure_model, enclosure_w_mm, enclosure_h_mm,
      enclosure_d_mm, required_w_mm, required_h_mm, required_d_mm, fit_score)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 1,
            'HDS-700-800-200', 700, 800, 200, 650, 800, 200, 0.9286)$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('panels: update alice''s panel',
  $$update estimator.panels set fit_score = 0.5 where id = 'a2000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('panels: delete alice''s panel',
  $$delete from estimator.panels where id = 'a2000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);

-- estimator.breakers ---------------------------------------------------------------------------
select tests.matrix('breakers: select alice''s breaker',
  $$select 1 from estimator.breakers where id = 'a3000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:1', 'ok:0', 'ok:0', 'ok:1']);
select tests.matrix('breakers: insert a breaker into alice''s panel',
  $$insert into estimator.breakers (owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role)
    values ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001', 1, 'L', 'R',
            'SBE-52', 50, 20, 2, 20, 'branch')$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('breakers: update alice''s breaker',
  $$update estimator.breakers set load_a = 10 where id = 'a3000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('breakers: delete alice''s breaker',
  $$delete from estimator.breakers where id = 'a3000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select is(tests.try('service_role', $$insert into estimator.breakers (owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role)
    values ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001', 1, 'L', 'R',
            'SBE-103', 100, 75, 3, 75, 'branch')$$),
  'error:23514', 'breakers: only 2P branches carry a phase');

-- estimator.documents --------------------------------------------------------------------------
select tests.matrix('documents: select alice''s document',
  $$select 1 from estimator.documents where id = 'a4000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:1', 'ok:0', 'ok:0', 'ok:1']);
select tests.matrix('documents: insert a document of alice''s quote',
  $$insert into estimator.documents (owner, quote_id, kind, storage_path, sha256, content_type)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'quote_xlsx',
            'quote/a0000000-0000-4000-8000-0000000000a1/quote.xlsx', repeat('f', 64),
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('documents: update alice''s document',
  $$update estimator.documents set sha256 = repeat('0', 64) where id = 'a4000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('documents: delete alice''s document',
  $$delete from estimator.documents where id = 'a4000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select is(tests.try('service_role', $$insert into estimator.documents (owner, quote_id, kind, storage_path, sha256, content_type)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'quote_xlsx',
            'quote/b0000000-0000-4000-8000-0000000000b1/quote.xlsx', repeat('f', 64), 'application/pdf')$$),
  'error:23514', 'documents: the object path must lie under the quote''s own folder');

-- estimator.evidence_blobs ---------------------------------------------------------------------
select tests.matrix('evidence_blobs: select alice''s evidence',
  $$select 1 from estimator.evidence_blobs where id = 'a5000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:1', 'ok:0', 'ok:0', 'ok:1']);
select tests.matrix('evidence_blobs: insert evidence of alice''s quote',
  $$insert into estimator.evidence_blobs (owner, quote_id, stage, storage_path, sha256, size_bytes)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'enclosure',
            'quote/a0000000-0000-4000-8000-0000000000a1/enclosure/' || repeat('3', 64) || '.json',
            repeat('3', 64), 100)$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('evidence_blobs: update alice''s evidence',
  $$update estimator.evidence_blobs set sha256 = repeat('0', 64) where id = 'a5000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('evidence_blobs: delete alice''s evidence',
  $$delete from estimator.evidence_blobs where id = 'a5000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select is(tests.try('service_role', $$insert into estimator.evidence_blobs (owner, quote_id, stage, storage_path, sha256, size_bytes)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'input',
            'quote/a0000000-0000-4000-8000-0000000000a1/input/again.json', repeat('4', 64), 1)$$),
  'error:23505', 'evidence_blobs: one blob per quote and stage');
select is(tests.try('service_role', $$insert into estimator.evidence_blobs (owner, quote_id, stage, storage_path, sha256, size_bytes)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'lint',
            'quote/a0000000-0000-4000-8000-0000000000a1/lint/x.json', upper(repeat('ab', 32)), 1)$$),
  'error:23514', 'evidence_blobs: sha256 must be 64 lowercase hex (uppercase refused)');
select is(tests.try('service_role', $$insert into estimator.evidence_blobs (owner, quote_id, stage, storage_path, sha256, size_bytes)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'lint',
            'quote/a0000000-0000-4000-8000-0000000000a1/lint/x.json', repeat('a', 63), 1)$$),
  'error:23514', 'evidence_blobs: sha256 must be 64 characters long');

-- Deleting a quote takes everything under it along ---------------------------------------------
select tests.act_as('service_role');
delete from estimator.quotes where id = 'a0000000-0000-4000-8000-0000000000a1';
select tests.act_as('postgres');
select is(
  (select count(*)::integer from estimator.quote_items where quote_id = 'a0000000-0000-4000-8000-0000000000a1')
  + (select count(*)::integer from estimator.panels where quote_id = 'a0000000-0000-4000-8000-0000000000a1')
  + (select count(*)::integer from estimator.breakers where panel_id = 'a2000000-0000-4000-8000-000000000001')
  + (select count(*)::integer from estimator.documents where quote_id = 'a0000000-0000-4000-8000-0000000000a1')
  + (select count(*)::integer from estimator.evidence_blobs where quote_id = 'a0000000-0000-4000-8000-0000000000a1'),
  0, 'deleting a quote (the server) removes its lines, panels, breakers, documents and evidence');
select is((select count(*)::integer from estimator.quotes where id = 'b0000000-0000-4000-8000-0000000000b1'),
  1, 'another user''s quote is untouched');

select * from finish();
rollback;
