-- What a signed-in user cannot forge. With a valid token a user reaches the database as
-- `authenticated` (the Data API of a hosted project); quotes, their lines, panels,
-- breakers, documents and evidence rows must come from the functions only, so every
-- write below is refused, through tables and through estimator.create_quote alike.
begin;
\ir ../helpers/fixtures.psql

select plan(16);

-- A quote the engine never priced: "issued", subtotal 1.
select is(tests.try('alice', $$insert into estimator.quotes (owner, idempotency_key, status, request, request_sha256,
      catalog_version_id, catalog_label, catalog_sha256, subtotal, vat, grand_total, evidence_root_sha256, response)
    values ('a11ce000-0000-4000-8000-000000000001', 'forged', 'issued', '{}', repeat('a', 64),
      'c0000000-0000-4000-8000-000000000001', 'test-v1', repeat('c', 64), 1, 0, 1, repeat('e', 64),
      '{"evidence_objects": [{"stage": "input", "storage_path": "quote/b0000000-0000-4000-8000-0000000000b1/input/x.json"}]}')$$),
  'denied', 'a user cannot insert a quote row');
select is(tests.try('alice', $$select estimator.create_quote(jsonb_build_object(
      'idempotency_key', 'forged-rpc', 'status', 'issued', 'request', '{}'::jsonb,
      'request_sha256', repeat('a', 64), 'catalog_version_id', 'c0000000-0000-4000-8000-000000000001',
      'catalog_label', 'test-v1', 'catalog_sha256', repeat('c', 64),
      'subtotal', 1, 'vat', 0, 'grand_total', 1, 'evidence_root_sha256', repeat('e', 64)))$$),
  'denied', 'a user cannot call create_quote (the Data API rpc)');
select is(tests.try('alice', $$update estimator.quotes set grand_total = 1, subtotal = 1 where id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'denied', 'a user cannot change the totals of their quote');
select is(tests.try('alice', $$update estimator.quotes set response = '{}' where id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'denied', 'a user cannot rewrite the stored response of their quote');
select is(tests.try('alice', $$update estimator.quotes set status = 'issued' where id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'denied', 'a user cannot change the status of their quote');
select is(tests.try('alice', $$delete from estimator.quotes where id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'denied', 'a user cannot delete their quote');
select is(tests.try('alice', $$insert into estimator.quote_items (owner, quote_id, position, section, item, unit, qty, unit_price, amount)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 9,
            'MAIN', 'FREE', 'EA', 1, 0, 0)$$),
  'denied', 'a user cannot add a line to their quote');
select is(tests.try('alice', $$insert into estimator.panels (owner, quote_id, position, enclosure_model, enclosure_w_mm, enclosure_h_mm,
      enclosure_d_mm, required_w_mm, required_h_mm, required_d_mm, fit_score)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 9,
            'HDS-700-800-200', 700, 800, 200, 650, 800, 200, 0.9286)$$),
  'denied', 'a user cannot add a panel to their quote');
select is(tests.try('alice', $$insert into estimator.breakers (owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role)
    values ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001', 9, 'L', 'R',
            'SBE-52', 50, 20, 2, 20, 'branch')$$),
  'denied', 'a user cannot add a breaker to their panel');
select is(tests.try('alice', $$insert into estimator.documents (owner, quote_id, kind, storage_path, sha256, content_type)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'forged',
            'quote/a0000000-0000-4000-8000-0000000000a1/forged.pdf', repeat('f', 64), 'application/pdf')$$),
  'denied', 'a user cannot add a document row');
select is(tests.try('alice', $$insert into estimator.evidence_blobs (owner, quote_id, stage, storage_path, sha256, size_bytes)
    values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'forged',
            'quote/a0000000-0000-4000-8000-0000000000a1/forged/' || repeat('3', 64) || '.json', repeat('3', 64), 1)$$),
  'denied', 'a user cannot add an evidence row');
select is(tests.try('alice', $$update estimator.evidence_blobs set sha256 = repeat('0', 64) where owner = 'a11ce000-0000-4000-8000-000000000001'$$),
  'denied', 'a user cannot change a recorded evidence hash');
select is(tests.try('alice', $$select estimator.user_exists('b0b00000-0000-4000-8000-000000000002')$$),
  'denied', 'a user cannot probe which user ids exist');

-- Reads are unchanged: the owner still sees their quote and its evidence.
select is(tests.try('alice', $$select 1 from estimator.evidence_blobs where quote_id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'ok:1', 'the owner still reads the evidence rows of their quote');

-- The server (service_role) writes, and answers whether a user exists.
select is(tests.try('service_role', $$select 1 where estimator.user_exists('a11ce000-0000-4000-8000-000000000001')
                                     and not estimator.user_exists('00000000-0000-4000-8000-00000000dead')$$),
  'ok:1', 'user_exists tells a stored user from a deleted one');
select is(tests.try('server:alice', $$update estimator.quotes set status = 'needs_review' where id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'ok:1', 'the functions (service_role) may still write');

select * from finish();
rollback;
