-- The SQL functions: check_sha256, validate_evidence_integrity, calculate_quote_totals,
-- get_phase_balance (against hand-computed panels), health_check_detailed; and the
-- one-active-catalog constraint.
begin;
\ir ../helpers/fixtures.psql

select plan(50);

-- shared.check_sha256 ---------------------------------------------------------------------------
select ok(shared.check_sha256(encode(sha256('kis'::bytea), 'hex')), 'check_sha256: a real digest passes');
select ok(not shared.check_sha256(upper(encode(sha256('kis'::bytea), 'hex'))), 'check_sha256: uppercase fails');
select ok(not shared.check_sha256(repeat('a', 63)), 'check_sha256: 63 characters fail');
select ok(not shared.check_sha256(repeat('a', 65)), 'check_sha256: 65 characters fail');
select ok(not shared.check_sha256(repeat('g', 64)), 'check_sha256: non-hex fails');
select ok(not shared.check_sha256(' ' || repeat('a', 63)), 'check_sha256: whitespace fails');
select ok(not shared.check_sha256(null), 'check_sha256: null is false, not null');
select is(tests.try('anon', $$select shared.check_sha256('x')$$), 'denied', 'check_sha256: anon cannot call it');

-- estimator.validate_evidence_integrity -------------------------------------------------------
-- alice's quote has evidence stage "input" with sha256 = 64 × '1' (fixture); add a stage
-- whose digest has letters.
insert into estimator.evidence_blobs (owner, quote_id, stage, storage_path, sha256, size_bytes)
values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'enclosure',
        'quote/a0000000-0000-4000-8000-0000000000a1/enclosure/' || encode(sha256('kis-enclosure'::bytea), 'hex') || '.json',
        encode(sha256('kis-enclosure'::bytea), 'hex'), 13);
select tests.act_as('alice');
select ok(estimator.validate_evidence_integrity('a0000000-0000-4000-8000-0000000000a1', 'enclosure',
                                                encode(sha256('kis-enclosure'::bytea), 'hex')),
  'validate_evidence_integrity: true for a re-hash of the same content');
select ok(estimator.validate_evidence_integrity('a0000000-0000-4000-8000-0000000000a1', 'input', repeat('1', 64)),
  'validate_evidence_integrity: true for the stored digest');
select ok(not estimator.validate_evidence_integrity('a0000000-0000-4000-8000-0000000000a1', 'input', repeat('2', 64)),
  'validate_evidence_integrity: false for another digest (tampered blob)');
select ok(not estimator.validate_evidence_integrity('a0000000-0000-4000-8000-0000000000a1', 'enclosure',
                                                     upper(encode(sha256('kis-enclosure'::bytea), 'hex'))),
  'validate_evidence_integrity: false for the right digest spelt in uppercase');
select ok(not estimator.validate_evidence_integrity('a0000000-0000-4000-8000-0000000000a1', 'lint', repeat('1', 64)),
  'validate_evidence_integrity: false for a stage without evidence');
select ok(not estimator.validate_evidence_integrity('a0000000-0000-4000-8000-0000000000a1', 'input', null),
  'validate_evidence_integrity: false for a null digest');
select tests.act_as('bob');
select ok(not estimator.validate_evidence_integrity('a0000000-0000-4000-8000-0000000000a1', 'input', repeat('1', 64)),
  'validate_evidence_integrity: false for another user''s quote (not visible)');
select tests.act_as('service_role');
select ok(estimator.validate_evidence_integrity('a0000000-0000-4000-8000-0000000000a1', 'input', repeat('1', 64)),
  'validate_evidence_integrity: true for service_role');
select tests.act_as('postgres');
select is(tests.try('anon', $$select estimator.validate_evidence_integrity('a0000000-0000-4000-8000-0000000000a1', 'input', repeat('1', 64))$$),
  'denied', 'validate_evidence_integrity: anon cannot call it');

-- estimator.calculate_quote_totals ------------------------------------------------------------
-- alice's quote: 10,000 (fixture line) + 1,224,565 = 1,234,565; VAT 10 % = 123,456.5,
-- half-up = 123,457; grand total 1,358,022.
insert into estimator.quote_items (owner, quote_id, position, section, item, unit, qty, unit_price, amount)
values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 1,
        'COSTS', 'ASSEMBLY', '식', 1, 1224565, 1224565);
-- A quote without lines (service_role writes it for bob).
insert into estimator.quotes (id, owner, idempotency_key, status, request, request_sha256,
                              catalog_version_id, catalog_label, catalog_sha256,
                              subtotal, vat, grand_total, evidence_root_sha256)
values ('b0000000-0000-4000-8000-0000000000b2', 'b0b00000-0000-4000-8000-000000000002', 'bob-empty',
        'rejected', '{}', repeat('b', 64), 'c0000000-0000-4000-8000-000000000001', 'test-v1', repeat('c', 64),
        0, 0, 0, repeat('e', 64));
select tests.act_as('alice');
select results_eq($$select * from estimator.calculate_quote_totals('a0000000-0000-4000-8000-0000000000a1')$$,
  $$values (1234565::bigint, 123457::bigint, 1358022::bigint)$$,
  'calculate_quote_totals: 1,234,565 + VAT 123,457 (half-up of 123,456.5) = 1,358,022');
select is_empty($$select * from estimator.calculate_quote_totals('b0000000-0000-4000-8000-0000000000b1')$$,
  'calculate_quote_totals: no row for another user''s quote');
select tests.act_as('bob');
select results_eq($$select * from estimator.calculate_quote_totals('b0000000-0000-4000-8000-0000000000b2')$$,
  $$values (0::bigint, 0::bigint, 0::bigint)$$,
  'calculate_quote_totals: a quote without lines totals 0');
select results_eq($$select * from estimator.calculate_quote_totals('b0000000-0000-4000-8000-0000000000b1')$$,
  $$values (10000::bigint, 1000::bigint, 11000::bigint)$$,
  'calculate_quote_totals: 10,000 + 1,000 = 11,000');
select tests.act_as('postgres');

-- estimator.get_phase_balance -----------------------------------------------------------------
insert into estimator.panels (id, owner, quote_id, position, enclosure_model, enclosure_w_mm, enclosure_h_mm,
                              enclosure_d_mm, required_w_mm, required_h_mm, required_d_mm, fit_score)
select ('a2000000-0000-4000-8000-00000000000' || n)::uuid, 'a11ce000-0000-4000-8000-000000000001',
       'a0000000-0000-4000-8000-0000000000a1', n, 'HDS-600-700-150', 600, 700, 150, 600, 700, 150, 1
  from generate_series(2, 6) as n;

-- Panel 2, 3-phase 4-wire (4P main), hand computed:
--   2P branches: R 20 + 20, S 30 + 0 (a spare), T 15; one 3P branch of 30 A adds 30 to each
--   phase; the main and the SPD breaker carry no load.
--   R = 40 + 30 = 70, S = 30 + 30 = 60, T = 15 + 30 = 45; sum 175, mean 175/3 = 58.33 A;
--   imbalance = (70 - 45) / (175/3) = 75/175 = 3/7 = 0.428571… → not balanced.
insert into estimator.breakers (owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role) values
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002', 0, null, null, 'SBE-104', 100, 100, 4, 0, 'main'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002', 1, 'L', 'R', 'SIB-32', 30, 20, 2, 20, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002', 1, 'R', 'R', 'SIB-32', 30, 20, 2, 20, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002', 2, 'L', 'S', 'SBE-52', 50, 30, 2, 30, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002', 2, 'R', 'S', 'SBE-52', 50, 30, 2, 0, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002', 3, 'L', 'T', 'SBE-52', 50, 20, 2, 15, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002', 4, 'L', null, 'SBE-53', 50, 30, 3, 30, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002', 4, 'R', null, 'SBE-54', 50, 40, 4, 0, 'spd');
-- Panel 3, 3-phase 4-wire, balanced: R 20, S 20, T 20, plus a 3P 10 A → 30 / 30 / 30, imbalance 0.
insert into estimator.breakers (owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role) values
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000003', 0, null, null, 'SBE-104', 100, 75, 4, 0, 'main'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000003', 1, 'L', 'R', 'SBE-52', 50, 20, 2, 20, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000003', 1, 'R', 'S', 'SBE-52', 50, 20, 2, 20, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000003', 2, 'L', 'T', 'SBE-52', 50, 20, 2, 20, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000003', 2, 'R', null, 'SBE-53', 50, 10, 3, 10, 'branch');
-- Panel 4, 3-phase 3-wire (3P main), pairs: RS 20, ST 20, TR 10, plus a 3P 10 A.
--   denominator = (20 + 20 + 10 + sqrt(3) × 10) / 3 = (50 + 17.3205) / 3 = 22.4402;
--   imbalance = (20 - 10) / 22.4402 = 0.44563 → not balanced.
insert into estimator.breakers (owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role) values
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000004', 0, null, null, 'SBE-103', 100, 75, 3, 0, 'main'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000004', 1, 'L', 'RS', 'SBE-52', 50, 20, 2, 20, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000004', 1, 'R', 'ST', 'SBE-52', 50, 20, 2, 20, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000004', 2, 'L', 'TR', 'SBE-52', 50, 10, 2, 10, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000004', 2, 'R', null, 'SBE-53', 50, 10, 3, 10, 'branch');
-- Panel 5, single-phase (2P main): 20 + 15 = 35 A, nothing to balance.
insert into estimator.breakers (owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role) values
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000005', 0, null, null, 'SBE-52', 50, 50, 2, 0, 'main'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000005', 1, 'L', null, 'SIB-32', 30, 20, 2, 20, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000005', 1, 'R', null, 'SIB-32', 30, 15, 2, 15, 'branch');
-- Panel 6, exactly at the 3 % target: R 101.5, S 100, T 98.5 → mean 100, (101.5 - 98.5) / 100 = 0.03.
insert into estimator.breakers (owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role) values
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000006', 1, 'L', 'R', 'SBE-102', 100, 100, 2, 101.5, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000006', 1, 'R', 'S', 'SBE-102', 100, 100, 2, 100, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000006', 2, 'L', 'T', 'SBE-102', 100, 100, 2, 98.5, 'branch');

select tests.act_as('alice');
select results_eq(
  $$select system, phase, load_a, round(imbalance, 6), balanced
      from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000002')$$,
  $$values ('3P4W', 'R', 70::numeric, 0.428571, false), ('3P4W', 'S', 60::numeric, 0.428571, false),
           ('3P4W', 'T', 45::numeric, 0.428571, false)$$,
  'get_phase_balance: R 70, S 60, T 45 A; imbalance 3/7 = 0.428571; not balanced');
select is((select imbalance from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000002') limit 1),
  75::numeric / 175, 'get_phase_balance: imbalance is exactly (max - min) / mean = 75/175');
select results_eq(
  $$select phase, load_a, imbalance, balanced from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000003')$$,
  $$values ('R', 30::numeric, 0::numeric, true), ('S', 30::numeric, 0::numeric, true), ('T', 30::numeric, 0::numeric, true)$$,
  'get_phase_balance: a 3P branch loads every phase; 30/30/30 A is balanced');
select results_eq(
  $$select system, phase, load_a, round(imbalance, 5), balanced
      from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000004')$$,
  $$values ('3P3W', 'RS', 20::numeric, 0.44563, false), ('3P3W', 'ST', 20::numeric, 0.44563, false),
           ('3P3W', 'TR', 10::numeric, 0.44563, false)$$,
  'get_phase_balance: 3-wire pairs RS 20, ST 20, TR 10 with a 3P 10 A: imbalance 10 / 22.4402 = 0.44563');
select results_eq(
  $$select system, phase, load_a, imbalance, balanced from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000005')$$,
  $$values ('1P2W', null::text, 35::numeric, null::numeric, null::boolean)$$,
  'get_phase_balance: a single-phase panel has 35 A and nothing to balance');
select results_eq(
  $$select imbalance, balanced from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000006') limit 1$$,
  $$values (0.03::numeric, true)$$,
  'get_phase_balance: exactly 3 % is within the target (not above it)');
select results_eq(
  $$select balanced from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000006', 0.02) limit 1$$,
  $$values (false)$$,
  'get_phase_balance: the target can be passed (3 % is above a 2 % target)');
select results_eq(
  $$select phase, load_a, imbalance from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000001')$$,
  $$values ('R', 0::numeric, 0::numeric), ('S', 0::numeric, 0::numeric), ('T', 0::numeric, 0::numeric)$$,
  'get_phase_balance: a panel with only its main carries no load, imbalance 0');
select tests.act_as('bob');
select is_empty($$select * from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000002')$$,
  'get_phase_balance: another user''s panel gives no rows');
select tests.act_as('postgres');
select is(tests.try('anon', $$select * from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000002')$$),
  'denied', 'get_phase_balance: anon cannot call it');

-- Both functions read the rule from the quote's catalog version --------------------------------
-- A catalog with VAT 8 % and a 2 % imbalance target; alice's quote a3 uses it: one line of
-- 12,345 → VAT 987.6, half-up 988; its panel 7 has panel 6's loads (imbalance exactly 3 %).
insert into shared.catalog_versions (id, label, status, content, content_sha256)
values ('c0000000-0000-4000-8000-000000000003', 'test-v3', 'staging',
        '{"version": "test-v3", "rules": {"vat_rate": "0.08", "imbalance_target": "0.02"}}', repeat('3', 64));
insert into estimator.quotes (id, owner, idempotency_key, status, request, request_sha256, response,
                              catalog_version_id, catalog_label, catalog_sha256,
                              subtotal, vat, grand_total, evidence_root_sha256)
values ('a0000000-0000-4000-8000-0000000000a3', 'a11ce000-0000-4000-8000-000000000001', 'alice-key-3',
        'issued', '{"brand": "SANGDO"}', repeat('a', 64), '{"ok": true}',
        'c0000000-0000-4000-8000-000000000003', 'test-v3', repeat('3', 64), 12345, 988, 13333, repeat('e', 64));
insert into estimator.quote_items (owner, quote_id, position, section, item, unit, qty, unit_price, amount)
values ('a11ce000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a3', 0,
        'COSTS', 'ASSEMBLY', '식', 1, 12345, 12345);
insert into estimator.panels (id, owner, quote_id, position, enclosure_model, enclosure_w_mm, enclosure_h_mm,
                              enclosure_d_mm, required_w_mm, required_h_mm, required_d_mm, fit_score)
values ('a2000000-0000-4000-8000-000000000007', 'a11ce000-0000-4000-8000-000000000001',
        'a0000000-0000-4000-8000-0000000000a3', 0, 'HDS-600-700-150', 600, 700, 150, 600, 700, 150, 1);
insert into estimator.breakers (owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role) values
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000007', 1, 'L', 'R', 'SBE-102', 100, 100, 2, 101.5, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000007', 1, 'R', 'S', 'SBE-102', 100, 100, 2, 100, 'branch'),
  ('a11ce000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000007', 2, 'L', 'T', 'SBE-102', 100, 100, 2, 98.5, 'branch');
select tests.act_as('alice');
select results_eq($$select * from estimator.calculate_quote_totals('a0000000-0000-4000-8000-0000000000a3')$$,
  $$values (12345::bigint, 988::bigint, 13333::bigint)$$,
  'calculate_quote_totals: the VAT rate is the quote''s catalog''s (8 %: 12,345 + 988 = 13,333)');
select results_eq(
  $$select imbalance, balanced from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000007') limit 1$$,
  $$values (0.03::numeric, false)$$,
  'get_phase_balance: the default target is the quote''s catalog''s (3 % is above its 2 %)');
select results_eq(
  $$select balanced from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000007', 0.05) limit 1$$,
  $$values (true)$$,
  'get_phase_balance: a target passed in wins over the catalog''s');
select tests.act_as('postgres');
update shared.catalog_versions set content = '{"version": "test-v3"}'
 where id = 'c0000000-0000-4000-8000-000000000003';
select tests.act_as('alice');
select results_eq($$select * from estimator.calculate_quote_totals('a0000000-0000-4000-8000-0000000000a3')$$,
  $$values (12345::bigint, null::bigint, null::bigint)$$,
  'calculate_quote_totals: a catalog without a VAT rate gives no VAT rather than a guess');
select results_eq(
  $$select balanced from estimator.get_phase_balance('a2000000-0000-4000-8000-000000000007') limit 1$$,
  $$values (null::boolean)$$,
  'get_phase_balance: a catalog without a target and none passed in gives balanced null');
select tests.act_as('postgres');

-- shared.health_check_detailed --------------------------------------------------------------
select tests.act_as('service_role');
select is(shared.health_check_detailed() ->> 'status', 'ok', 'health_check_detailed: ok with an active catalog');
select is(shared.health_check_detailed() #>> '{checks,active_catalog,version,label}', 'test-v1',
  'health_check_detailed: names the active catalog');
select is(shared.health_check_detailed() #> '{checks,rls,tables_without_rls}', '[]'::jsonb,
  'health_check_detailed: RLS is on for every table');
select is(shared.health_check_detailed() #>> '{checks,buckets,ok}', 'true',
  'health_check_detailed: both private buckets exist');
select tests.act_as('postgres');
select is(tests.try('alice', $$select shared.health_check_detailed()$$), 'denied',
  'health_check_detailed: users cannot call it');
select is(tests.try('anon', $$select shared.health_check_detailed()$$), 'denied',
  'health_check_detailed: anon cannot call it');
update shared.catalog_versions set status = 'retired' where status = 'active';
select is(shared.health_check_detailed() ->> 'status', 'degraded',
  'health_check_detailed: degraded without an active catalog');
update shared.catalog_versions set status = 'active' where id = 'c0000000-0000-4000-8000-000000000001';

-- At most one active catalog version --------------------------------------------------------
select is((select count(*)::integer from shared.catalog_versions where status = 'active'), 1,
  'exactly one catalog version is active');
select is(tests.try('service_role', $$insert into shared.catalog_versions (label, status, content, content_sha256, activated_at)
    values ('test-v9', 'active', '{}', repeat('9', 64), now())$$),
  'error:23505', 'a second active version is refused by the partial unique index');
select is(tests.try('carol', $$update shared.catalog_versions set status = 'active', activated_at = now()
    where id = 'c0000000-0000-4000-8000-0000000000ff'$$),
  'error:23505', 'reactivating a retired version while another is active is refused');
select is(tests.try('service_role', $$insert into shared.catalog_versions (label, status, content, content_sha256)
    values ('test-v8', 'active', '{}', repeat('8', 64))$$),
  'error:23514', 'an active version must record when it was activated');
select is(tests.try('carol', $$select shared.activate_catalog_version('c0000000-0000-4000-8000-0000000000ff')$$),
  'ok:1', 'activate_catalog_version swaps the active version (rollback to a retired one)');
select is(tests.try('service_role', $$insert into shared.catalog_versions (label, content, content_sha256)
    values ('test-v1', '{}', repeat('7', 64))$$),
  'error:23505', 'catalog labels are unique');
select is(tests.try('service_role', $$insert into shared.catalog_versions (label, content, content_sha256)
    values ('test-v7', '[]', repeat('7', 64))$$),
  'error:23514', 'a catalog document is a JSON object');

select * from finish();
rollback;
