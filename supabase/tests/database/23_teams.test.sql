-- Teams: organisations × roles × tables × operations, review and revisions.
--
-- Organisation ACME: ann (admin), rita (reviewer), eve (estimator, creates quote X),
-- ed (estimator, another member). Organisation BETA: bill (admin, creates quote Y).
-- Members read every quote of their organisation (and everything under it); another
-- organisation's rows are 0 rows, not an error; nobody but service_role writes.
--   ok:N   allowed, N rows      denied  no privilege or refused by a function (42501)
--   error:XXXXX  any other error, by SQLSTATE
begin;
\ir ../helpers/fixtures.psql

select plan(307);

insert into auth.users (id, email, role, aud, raw_app_meta_data, raw_user_meta_data, created_at)
values
  ('aa000000-0000-4000-8000-000000000001', 'ann@acme.test', 'authenticated', 'authenticated', '{}', '{}', now()),
  ('aa000000-0000-4000-8000-000000000002', 'rita@acme.test', 'authenticated', 'authenticated', '{}', '{}', now()),
  ('aa000000-0000-4000-8000-000000000003', 'eve@acme.test', 'authenticated', 'authenticated', '{}', '{}', now()),
  ('aa000000-0000-4000-8000-000000000004', 'ed@acme.test', 'authenticated', 'authenticated', '{}', '{}', now()),
  ('bb000000-0000-4000-8000-000000000001', 'bill@beta.test', 'authenticated', 'authenticated', '{}', '{}', now());
insert into estimator.organisations (id, name) values
  ('0a000000-0000-4000-8000-000000000001', 'ACME'),
  ('0b000000-0000-4000-8000-000000000001', 'BETA');
insert into estimator.memberships (organisation_id, user_id, role) values
  ('0a000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000001', 'admin'),
  ('0a000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000002', 'reviewer'),
  ('0a000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000003', 'estimator'),
  ('0a000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000004', 'estimator'),
  ('0b000000-0000-4000-8000-000000000001', 'bb000000-0000-4000-8000-000000000001', 'admin');

-- Actors by name: `name` is the user through the Data API (authenticated), `server:name`
-- the functions acting for the user (service_role with the user's claims).
create function tests.uid(name text) returns uuid
language sql immutable
as $$
  select case name
    when 'ann' then 'aa000000-0000-4000-8000-000000000001'
    when 'rita' then 'aa000000-0000-4000-8000-000000000002'
    when 'eve' then 'aa000000-0000-4000-8000-000000000003'
    when 'ed' then 'aa000000-0000-4000-8000-000000000004'
    when 'bill' then 'bb000000-0000-4000-8000-000000000001'
  end::uuid
$$;
create function tests.be(actor text) returns void
language plpgsql
as $$
declare
  v_name text := regexp_replace(actor, '^server:', '');
begin
  if tests.uid(v_name) is null then
    perform tests.act_as(actor);
    return;
  end if;
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', tests.uid(v_name), 'role', 'authenticated', 'aud', 'authenticated',
    'app_metadata', '{}'::jsonb, 'user_metadata', '{}'::jsonb)::text, true);
  perform set_config('role', case when actor like 'server:%' then 'service_role' else 'authenticated' end, true);
end
$$;
create function tests.t(actor text, stmt text) returns text
language plpgsql
as $$
declare
  v_rows bigint;
  v_result text;
begin
  begin
    perform tests.be(actor);
    execute stmt;
    get diagnostics v_rows = row_count;
    v_result := 'ok:' || v_rows;
    raise exception using errcode = 'TS001', message = 'undo';
  exception
    when sqlstate 'TS001' then null;
    when insufficient_privilege then v_result := 'denied';
    when others then v_result := 'error:' || sqlstate;
  end;
  return v_result;
end
$$;
-- anon, ann (admin), rita (reviewer), eve (estimator, creator), ed (estimator), bill (BETA), service_role
create function tests.team(label text, stmt text, expected text[]) returns setof text
language plpgsql
as $$
declare
  c_actors constant text[] := array['anon', 'ann', 'rita', 'eve', 'ed', 'bill', 'service_role'];
begin
  for i in 1 .. 7 loop
    return next is(tests.t(c_actors[i], stmt), expected[i], format('%s [%s]', label, c_actors[i]));
  end loop;
end
$$;
create function tests.payload(qid uuid, key text, status text) returns jsonb
language sql
as $$
  select jsonb_build_object(
    'id', qid, 'idempotency_key', key, 'status', status,
    'request', jsonb_build_object('brand', 'SANGDO'), 'request_sha256', repeat('a', 64),
    'response', jsonb_build_object('status', status),
    'catalog_version_id', 'c0000000-0000-4000-8000-000000000001',
    'catalog_label', 'test-v1', 'catalog_sha256', repeat('c', 64),
    'subtotal', 10000, 'vat', 1000, 'grand_total', 11000, 'evidence_root_sha256', repeat('e', 64),
    'items', jsonb_build_array(jsonb_build_object('section', 'MAIN', 'item', 'SBE-104', 'unit', 'EA',
      'qty', 1, 'unit_price', 10000, 'amount', 10000)),
    'panels', jsonb_build_array(jsonb_build_object('enclosure_model', 'HDS-600-700-150',
      'enclosure_w_mm', 600, 'enclosure_h_mm', 700, 'enclosure_d_mm', 150,
      'required_w_mm', 600, 'required_h_mm', 700, 'required_d_mm', 150, 'fit_score', 1,
      'breakers', jsonb_build_array(
        jsonb_build_object('row', 0, 'side', null, 'model', 'SBE-104', 'af', 100, 'at', 75, 'poles', 4, 'role', 'main'),
        jsonb_build_object('row', 1, 'side', 'L', 'phase', 'R', 'model', 'SBE-52', 'af', 50, 'at', 20,
                           'poles', 2, 'load_a', 20, 'role', 'branch')))),
    'documents', jsonb_build_array(jsonb_build_object('kind', 'quote_pdf',
      'storage_path', format('quote/%s/quote.pdf', qid), 'sha256', repeat('d', 64), 'content_type', 'application/pdf')),
    'evidence', jsonb_build_array(jsonb_build_object('stage', 'input',
      'storage_path', format('quote/%s/input/%s.json', qid, repeat('1', 64)), 'sha256', repeat('1', 64), 'size_bytes', 10)))
$$;
grant execute on all functions in schema tests to anon, authenticated, service_role;

-- Quote X (ACME, by eve, needs review), quote Y (BETA, by bill), quote Z (ACME, by eve, issued).
select tests.be('server:eve');
select estimator.create_quote(tests.payload('ac000000-0000-4000-8000-0000000000a1', 'x', 'needs_review')
  || '{"organisation_id": "0a000000-0000-4000-8000-000000000001"}');
select estimator.create_quote(tests.payload('ac000000-0000-4000-8000-0000000000a3', 'z', 'issued'));
select tests.be('server:bill');
select estimator.create_quote(tests.payload('bc000000-0000-4000-8000-0000000000b1', 'y', 'needs_review'));
select tests.act_as('postgres');
insert into storage.objects (bucket_id, name, owner) values
  ('documents', 'quote/ac000000-0000-4000-8000-0000000000a1/quote.pdf', 'aa000000-0000-4000-8000-000000000003');

select is((select organisation_id from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000a3'),
  '0a000000-0000-4000-8000-000000000001'::uuid, 'a quote without organisation_id goes to the owner''s only organisation');
select is((select organisation_id from estimator.quotes where id = 'bc000000-0000-4000-8000-0000000000b1'),
  '0b000000-0000-4000-8000-000000000001'::uuid, 'bill''s quote is BETA''s');

-- The matrix: every table × every actor × select/insert/update/delete --------------------------
select tests.team('quotes: select X', $$select 1 from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1', 'ok:0', 'ok:1']);
select tests.team('quotes: insert into ACME', $$insert into estimator.quotes (owner, organisation_id, idempotency_key, status,
    request, request_sha256, catalog_version_id, catalog_label, catalog_sha256, subtotal, vat, grand_total, evidence_root_sha256)
  values ('aa000000-0000-4000-8000-000000000003', '0a000000-0000-4000-8000-000000000001', 'm', 'issued', '{}', repeat('a', 64),
    'c0000000-0000-4000-8000-000000000001', 'test-v1', repeat('c', 64), 0, 0, 0, repeat('e', 64))$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('quotes: update X status', $$update estimator.quotes set status = 'approved' where id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('quotes: delete X', $$delete from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);

select tests.team('quote_items: select X''s', $$select 1 from estimator.quote_items where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1', 'ok:0', 'ok:1']);
select tests.team('quote_items: insert under X', $$insert into estimator.quote_items (owner, quote_id, position, section, item, unit, qty, unit_price, amount)
  values ('aa000000-0000-4000-8000-000000000003', 'ac000000-0000-4000-8000-0000000000a1', 5, 'MAIN', 'X', 'EA', 1, 1, 1)$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('quote_items: update X''s', $$update estimator.quote_items set qty = 2 where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('quote_items: delete X''s', $$delete from estimator.quote_items where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);

select tests.team('panels: select X''s', $$select 1 from estimator.panels where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1', 'ok:0', 'ok:1']);
select tests.team('panels: update X''s', $$update estimator.panels set fit_score = 0.5 where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('panels: delete X''s', $$delete from estimator.panels where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);

select tests.team('breakers: select X''s', $$select 1 from estimator.breakers b join estimator.panels p on p.id = b.panel_id
   where p.quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'ok:2', 'ok:2', 'ok:2', 'ok:2', 'ok:0', 'ok:2']);
select tests.team('breakers: select all of X''s panel by id', $$select 1 from estimator.breakers
   where panel_id = (select id from estimator.panels where quote_id = 'ac000000-0000-4000-8000-0000000000a1')$$,
  array['denied', 'ok:2', 'ok:2', 'ok:2', 'ok:2', 'ok:0', 'ok:2']);
select tests.team('breakers: update X''s', $$update estimator.breakers set load_a = 1
   where panel_id in (select id from estimator.panels where quote_id = 'ac000000-0000-4000-8000-0000000000a1')$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:2']);
select tests.team('breakers: delete X''s', $$delete from estimator.breakers
   where panel_id in (select id from estimator.panels where quote_id = 'ac000000-0000-4000-8000-0000000000a1')$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:2']);

select tests.team('documents: select X''s', $$select 1 from estimator.documents where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1', 'ok:0', 'ok:1']);
select tests.team('documents: update X''s', $$update estimator.documents set sha256 = repeat('0', 64) where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('evidence_blobs: select X''s', $$select 1 from estimator.evidence_blobs where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1', 'ok:0', 'ok:1']);
select tests.team('evidence_blobs: delete X''s', $$delete from estimator.evidence_blobs where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('storage: X''s document object', $$select 1 from storage.objects where name like 'quote/ac000000-0000-4000-8000-0000000000a1/%'$$,
  array['ok:0', 'ok:1', 'ok:1', 'ok:1', 'ok:1', 'ok:0', 'ok:1']);

select tests.team('organisations: select ACME', $$select 1 from estimator.organisations where id = '0a000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1', 'ok:0', 'ok:1']);
select tests.team('organisations: insert', $$insert into estimator.organisations (name) values ('X')$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('organisations: rename ACME', $$update estimator.organisations set name = 'X' where id = '0a000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('organisations: delete BETA', $$delete from estimator.organisations where id = '0b000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'error:23503']);

select tests.team('memberships: select ACME''s', $$select 1 from estimator.memberships where organisation_id = '0a000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:4', 'ok:4', 'ok:4', 'ok:4', 'ok:0', 'ok:4']);
select tests.team('memberships: join ACME', $$insert into estimator.memberships (organisation_id, user_id, role)
  values ('0a000000-0000-4000-8000-000000000001', 'bb000000-0000-4000-8000-000000000001', 'admin')$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('memberships: promote oneself', $$update estimator.memberships set role = 'admin'
   where user_id = 'aa000000-0000-4000-8000-000000000004'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('memberships: remove ed', $$delete from estimator.memberships where user_id = 'aa000000-0000-4000-8000-000000000004'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);

-- Every SQL function with the other organisation's ids: nothing ---------------------------------
select tests.team('calculate_quote_totals(X)', $$select * from estimator.calculate_quote_totals('ac000000-0000-4000-8000-0000000000a1')$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1', 'ok:0', 'ok:1']);
select tests.team('get_phase_balance(X''s panel)', $$select * from estimator.get_phase_balance(
    (select id from estimator.panels where quote_id = 'ac000000-0000-4000-8000-0000000000a1'))$$,
  array['denied', 'ok:3', 'ok:3', 'ok:3', 'ok:3', 'ok:0', 'ok:3']);
select is(tests.t('bill', $$select * from estimator.get_phase_balance(
    (select id from estimator.panels where quote_id = 'ac000000-0000-4000-8000-0000000000a1' limit 1))$$),
  'ok:0', 'get_phase_balance: bill cannot even find ACME''s panel id');
create temp table panel_ids as select id from estimator.panels where quote_id = 'ac000000-0000-4000-8000-0000000000a1';
grant select on panel_ids to authenticated;
select is(tests.t('bill', $$select * from estimator.get_phase_balance((select id from panel_ids))$$),
  'ok:0', 'get_phase_balance: ACME''s panel id given literally to bill: no rows');
select is(tests.t('ed', $$select * from estimator.get_phase_balance((select id from panel_ids))$$),
  'ok:3', 'get_phase_balance: another ACME member gets the rows');
select is(tests.t('bill', $$select 1 where estimator.validate_evidence_integrity('ac000000-0000-4000-8000-0000000000a1', 'input', repeat('1', 64))$$),
  'ok:0', 'validate_evidence_integrity: false for another organisation''s quote');
select is(tests.t('ed', $$select 1 where estimator.validate_evidence_integrity('ac000000-0000-4000-8000-0000000000a1', 'input', repeat('1', 64))$$),
  'ok:1', 'validate_evidence_integrity: true for a fellow member''s quote');
select is(tests.t('server:bill', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a1', 'approve', '')$$),
  'error:P0002', 'review_quote: another organisation''s quote is not found');
select is(tests.t('server:bill', $$select estimator.create_revision('ac000000-0000-4000-8000-0000000000a1', tests.payload(gen_random_uuid(), 'r', 'issued'))$$),
  'error:P0002', 'create_revision: another organisation''s quote is not found');
select is(tests.t('server:bill', $$select estimator.set_member('0a000000-0000-4000-8000-000000000001', 'bb000000-0000-4000-8000-000000000001', 'admin')$$),
  'error:P0002', 'set_member: another organisation is not found');
select is(tests.t('server:bill', $$select estimator.remove_member('0a000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000001')$$),
  'error:P0002', 'remove_member: another organisation is not found');
select is(tests.t('server:bill', $$select estimator.create_quote(tests.payload(gen_random_uuid(), 'intrude', 'issued')
    || '{"organisation_id": "0a000000-0000-4000-8000-000000000001"}')$$),
  'error:KE404', 'create_quote: nobody files a quote under an organisation they are not in');
select is(tests.t('bill', $$select estimator_private.has_role_on_org('0a000000-0000-4000-8000-000000000001')$$),
  'ok:1', 'has_role_on_org answers (about the caller only)');
select tests.be('bill');
select ok(not estimator_private.has_role_on_org('0a000000-0000-4000-8000-000000000001'), 'has_role_on_org: bill is not in ACME');
select is(array(select estimator_private.user_orgs()), array['0b000000-0000-4000-8000-000000000001'::uuid], 'user_orgs: bill''s only');
select tests.be('rita');
select ok(estimator_private.has_role_on_org('0a000000-0000-4000-8000-000000000001', 'reviewer'), 'a reviewer has the reviewer role');
select ok(not estimator_private.has_role_on_org('0a000000-0000-4000-8000-000000000001', 'admin'), 'a reviewer is not an admin');
select tests.be('ann');
select ok(estimator_private.has_role_on_org('0a000000-0000-4000-8000-000000000001', 'reviewer'), 'an admin reviews too');
select tests.act_as('postgres');
select is(tests.t('anon', $$select estimator_private.user_orgs()$$), 'denied', 'anon cannot call the helpers');
select is(tests.t('alice', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a1', 'approve', '')$$),
  'denied', 'review_quote: users cannot call it through the Data API');
select is(tests.t('eve', $$select estimator.create_revision('ac000000-0000-4000-8000-0000000000a1', '{}')$$),
  'denied', 'create_revision: users cannot call it through the Data API');
select is(tests.t('ann', $$select estimator.set_member('0a000000-0000-4000-8000-000000000001', 'bb000000-0000-4000-8000-000000000001', 'admin')$$),
  'denied', 'set_member: users cannot call it through the Data API');

-- Review -----------------------------------------------------------------------------------
select is(tests.t('server:eve', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a1', 'approve', '')$$),
  'denied', 'review: the creator cannot review their own quote');
select is(tests.t('server:ed', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a1', 'approve', '')$$),
  'denied', 'review: an estimator cannot review');
select is(tests.t('server:rita', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a1', 'return', '  ')$$),
  'error:22023', 'review: a return needs a reason');
select is(tests.t('server:rita', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a1', 'maybe', 'x')$$),
  'error:22023', 'review: the decision is approve or return');
select is(tests.t('server:rita', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a3', 'approve', '')$$),
  'error:PT409', 'review: an issued quote cannot be approved');
select tests.be('server:rita');
select is((estimator.review_quote('ac000000-0000-4000-8000-0000000000a1', 'approve', 'looks right')).decision,
  'approve', 'review: a reviewer approves');
select tests.act_as('postgres');
select is((select status from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000a1'), 'approved', 'the quote is approved');
select is((select response ->> 'status' from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000a1'), 'approved',
  'its stored response says so');
select is((select count(*)::int from shared.audit_logs where action = 'quote.review'
            and target = 'quote:ac000000-0000-4000-8000-0000000000a1'
            and actor = 'aa000000-0000-4000-8000-000000000002' and detail ->> 'reason' = 'looks right'), 1,
  'the decision is audited: who, why');
select is((select reviewer_email from estimator.quote_reviews
            where quote_id = 'ac000000-0000-4000-8000-0000000000a1'), 'rita@acme.test',
  'the decision names the reviewer by e-mail (shown on the approved documents)');
select is(tests.t('server:ann', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a1', 'approve', '')$$),
  'error:PT409', 'review: an approved quote is not reviewed again');
select tests.team('quote_reviews: select X''s', $$select 1 from estimator.quote_reviews where quote_id = 'ac000000-0000-4000-8000-0000000000a1'$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1', 'ok:0', 'ok:1']);
select tests.team('quote_reviews: insert', $$insert into estimator.quote_reviews (quote_id, reviewer, decision)
  values ('ac000000-0000-4000-8000-0000000000a1', 'aa000000-0000-4000-8000-000000000002', 'approve')$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.team('quote_reviews: delete', $$delete from estimator.quote_reviews$$,
  array['denied', 'denied', 'denied', 'denied', 'denied', 'denied', 'denied']);
select is(tests.t('server:bill', $$select estimator.review_quote('bc000000-0000-4000-8000-0000000000b1', 'approve', '')$$),
  'denied', 'review: BETA''s only member created the quote: nobody there may review it');
select tests.be('server:eve');
select estimator.create_quote(tests.payload('ac000000-0000-4000-8000-0000000000a4', 'w', 'needs_review'));
select tests.be('server:ann');
select is((estimator.review_quote('ac000000-0000-4000-8000-0000000000a4', 'return', 'wrong enclosure')).decision,
  'return', 'review: an admin returns a quote with the reason');
select tests.act_as('postgres');
select is((select status from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000a4'), 'returned',
  'a returned quote leaves the review queue (status returned)');

-- Revisions -------------------------------------------------------------------------------
-- R1 of X by rita (a reviewer may revise any), R2 by eve (the creator), never from R0 again.
select tests.be('server:rita');
select is(estimator.create_revision('ac000000-0000-4000-8000-0000000000a1',
    tests.payload('ac000000-0000-4000-8000-0000000000e1', 'x-r1', 'needs_review')),
  'ac000000-0000-4000-8000-0000000000e1'::uuid, 'revision: a reviewer revises X');
select is(estimator.create_revision('ac000000-0000-4000-8000-0000000000a1',
    tests.payload('ac000000-0000-4000-8000-0000000000e1', 'x-r1', 'needs_review')),
  'ac000000-0000-4000-8000-0000000000e1'::uuid, 'revision: the same key and request replay the stored revision');
select tests.act_as('postgres');
select results_eq(
  $$select revision, previous_quote_id, organisation_id, quote_number = (select quote_number from estimator.quotes
      where id = 'ac000000-0000-4000-8000-0000000000a1'), owner
      from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000e1'$$,
  $$values (1, 'ac000000-0000-4000-8000-0000000000a1'::uuid, '0a000000-0000-4000-8000-000000000001'::uuid, true,
            'aa000000-0000-4000-8000-000000000002'::uuid)$$,
  'R1: next revision, same quote number and organisation, the reviser owns it');
select is((select response ->> 'revision' from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000e1'), '1',
  'R1''s stored response carries its revision');
select is(tests.t('server:ann', $$select estimator.create_revision('ac000000-0000-4000-8000-0000000000a1',
    tests.payload(gen_random_uuid(), 'x-r1-again', 'issued'))$$),
  'error:PT409', 'revision: only the latest revision can be revised');
select is(tests.t('server:eve', $$select estimator.create_quote(tests.payload(gen_random_uuid(), 'x-fork', 'issued')
    || '{"previous_quote_id": "ac000000-0000-4000-8000-0000000000a1"}')$$),
  'error:PT409', 'revision: create_quote cannot fork the chain either');
select is(tests.t('server:ed', $$select estimator.create_revision('ac000000-0000-4000-8000-0000000000e1',
    tests.payload(gen_random_uuid(), 'x-r2-ed', 'issued'))$$),
  'denied', 'revision: an estimator revises only quotes they created');
select is(tests.t('server:eve', $$select estimator.create_revision('ac000000-0000-4000-8000-0000000000e1',
    tests.payload(gen_random_uuid(), 'x-r2', 'issued') || '{"organisation_id": "0b000000-0000-4000-8000-000000000001"}')$$),
  'ok:1', 'revision: the creator of R0 revises R1 (a payload organisation is ignored)');
select tests.be('server:eve');
select estimator.create_revision('ac000000-0000-4000-8000-0000000000e1',
  tests.payload('ac000000-0000-4000-8000-0000000000e2', 'x-r2', 'issued'));
select tests.act_as('postgres');
select results_eq(
  $$select revision from estimator.quotes
     where quote_number = (select quote_number from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000a1')
     order by revision$$,
  $$values (0), (1), (2)$$, 'the quote number has R0, R1, R2');
-- A project's response carries its label (R1 …): a revision keeps it (20261130001000); a
-- label that is not the revision's is refused. (tests.t undoes both: R2 stays the latest.)
select is(tests.t('server:eve', $$select estimator.create_revision('ac000000-0000-4000-8000-0000000000e2',
    tests.payload(gen_random_uuid(), 'x-r3-wrong', 'issued') || '{"response": {"kind": "project", "revision": "R7"}}')$$),
  'error:22023', 'revision: a response naming another revision is refused');
select is(tests.t('server:eve', $do$do $x$
  declare v_id uuid;
  begin
    v_id := estimator.create_revision('ac000000-0000-4000-8000-0000000000e2',
      tests.payload(gen_random_uuid(), 'x-r3', 'issued') || '{"response": {"kind": "project", "revision": "R3"}}');
    if (select response ->> 'revision' from estimator.quotes where id = v_id) is distinct from 'R3' then
      raise exception 'label lost' using errcode = 'TS002';
    end if;
  end $x$$do$),
  'ok:0', 'revision: a project revision keeps its label (R3) in its stored response');
select is(tests.t('ed', $$select 1 from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000e2'$$),
  'ok:1', 'revisions are shared in the organisation');
select is(tests.t('bill', $$select 1 from estimator.quotes where previous_quote_id is not null
    and organisation_id = '0a000000-0000-4000-8000-000000000001'$$),
  'ok:0', 'and invisible outside it');
select is(tests.t('service_role', $$update estimator.quotes set status = 'issued' where id = 'ac000000-0000-4000-8000-0000000000a1'$$),
  'denied', 'a revised quote is frozen, even its status');
select is(tests.t('service_role', $$update estimator.quotes set grand_total = 1 where id = 'ac000000-0000-4000-8000-0000000000e2'$$),
  'denied', 'a stored quote''s content is immutable');
select is(tests.t('service_role', $$update estimator.quotes set status = 'approved' where id = 'ac000000-0000-4000-8000-0000000000e2'$$),
  'ok:1', 'the latest revision''s status may change');
select is(tests.t('service_role', $$update estimator.quotes set organisation_id = '0b000000-0000-4000-8000-000000000001'
    where id = 'ac000000-0000-4000-8000-0000000000e2'$$),
  'denied', 'a quote never moves to another organisation');
select is(tests.t('service_role', $$insert into estimator.quotes (owner, idempotency_key, status, request, request_sha256,
    catalog_version_id, catalog_label, catalog_sha256, subtotal, vat, grand_total, evidence_root_sha256, revision)
  values ('aa000000-0000-4000-8000-000000000003', 'r9', 'issued', '{}', repeat('a', 64),
    'c0000000-0000-4000-8000-000000000001', 'test-v1', repeat('c', 64), 0, 0, 0, repeat('e', 64), 9)$$),
  'error:22023', 'a revision above 0 needs its predecessor');

-- Over PostgREST the service key carries no user: the functions name the caller in `actor`.
select is(tests.t('service_role', $$select estimator.review_quote('bc000000-0000-4000-8000-0000000000b1', 'approve', '',
    'aa000000-0000-4000-8000-000000000002')$$),
  'error:P0002', 'actor: rita named as actor cannot see BETA''s quote either');
select is(tests.t('server:rita', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a4', 'approve', '',
    'aa000000-0000-4000-8000-000000000001')$$),
  'denied', 'actor: a caller cannot act as somebody else');
select is(tests.t('service_role', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a4', 'approve', '')$$),
  'denied', 'actor: without claims and actor nobody is acting');
select is(tests.t('service_role', $$select estimator.set_member('0a000000-0000-4000-8000-000000000001',
    'bb000000-0000-4000-8000-000000000001', 'estimator', 'aa000000-0000-4000-8000-000000000001')$$),
  'ok:1', 'actor: ann named as actor adds a member');

-- Members ------------------------------------------------------------------------------------
select is(tests.t('server:rita', $$select estimator.set_member('0a000000-0000-4000-8000-000000000001', 'bb000000-0000-4000-8000-000000000001', 'estimator')$$),
  'denied', 'members: a reviewer cannot add members');
select is(tests.t('server:ann', $$select estimator.set_member('0a000000-0000-4000-8000-000000000001', 'bb000000-0000-4000-8000-000000000001', 'boss')$$),
  'error:22023', 'members: the role is estimator, reviewer or admin');
select is(tests.t('server:ann', $$select estimator.set_member('0a000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000001', 'reviewer')$$),
  'error:PT409', 'members: the last admin cannot step down');
select is(tests.t('server:ann', $$select estimator.remove_member('0a000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000001')$$),
  'error:PT409', 'members: the last admin cannot leave');
select is(tests.t('server:ann', $$select estimator.set_member('0a000000-0000-4000-8000-000000000001', gen_random_uuid(), 'estimator')$$),
  'error:P0002', 'members: an unknown user is not found');
select tests.be('server:ann');
select is((estimator.set_member('0a000000-0000-4000-8000-000000000001',
    estimator.user_id_by_email('BILL@beta.test'), 'estimator')).role,
  'estimator', 'members: an admin adds bill by e-mail');
select is((estimator.set_member('0a000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000004', 'reviewer')).role,
  'reviewer', 'members: an admin promotes ed');
select ok(estimator.remove_member('0a000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000003'),
  'members: an admin removes eve');
select tests.act_as('postgres');
select is((select array_agg(action order by action) from shared.audit_logs
            where target = 'organisation:0a000000-0000-4000-8000-000000000001'),
  array['organisation.member_add', 'organisation.member_remove', 'organisation.member_role'],
  'members: every change is audited');
select is(tests.t('bill', $$select 1 from estimator.quotes where id = 'ac000000-0000-4000-8000-0000000000a1'$$),
  'ok:1', 'a new member reads the organisation''s quotes at once');
select is(tests.t('eve', $$select 1 from estimator.quotes where organisation_id = '0a000000-0000-4000-8000-000000000001'$$),
  'ok:0', 'a removed member reads none at once, not even the quotes they created');
select is(tests.t('server:bill', $$select estimator.create_quote(tests.payload(gen_random_uuid(), 'two-orgs', 'issued'))$$),
  'error:KE422', 'bill, now in two organisations and without a personal one, must name one');
select is(tests.t('server:ed', $$select estimator.review_quote('ac000000-0000-4000-8000-0000000000a1', 'approve', '')$$),
  'error:PT409', 'ed, promoted to reviewer, gets past the role check at once');

-- Default organisation with several and no personal one: the caller must choose.
insert into estimator.memberships (organisation_id, user_id, role)
values ('0b000000-0000-4000-8000-000000000001', 'aa000000-0000-4000-8000-000000000002', 'estimator');
select is(tests.t('server:rita', $$select estimator.create_quote(tests.payload(gen_random_uuid(), 'ambiguous', 'issued'))$$),
  'error:KE422', 'a member of several organisations without a personal one must name one');
select is(tests.t('server:rita', $$select estimator.create_quote(tests.payload(gen_random_uuid(), 'chosen', 'issued')
    || '{"organisation_id": "0b000000-0000-4000-8000-000000000001"}')$$),
  'ok:1', 'naming one of them works');
select tests.be('server:ed');
select estimator.create_quote(tests.payload(gen_random_uuid(), 'new-user', 'issued'));
select tests.act_as('postgres');
select is((select count(*)::int from estimator.memberships where user_id = 'aa000000-0000-4000-8000-000000000004'), 1,
  'a member of one organisation gets no personal organisation');
insert into auth.users (id, email, role, aud, created_at)
values ('cc000000-0000-4000-8000-000000000001', 'new@x.test', 'authenticated', 'authenticated', now());
select tests.be('server:eve');
select tests.act_as('postgres');
select is((select count(*)::int from estimator.organisations where personal_owner = 'aa000000-0000-4000-8000-000000000003'), 0,
  'eve has no personal organisation yet');
select tests.be('server:eve');
select estimator.create_quote(tests.payload(gen_random_uuid(), 'eve-alone', 'issued'));
select tests.act_as('postgres');
select is((select m.role from estimator.memberships m join estimator.organisations o on o.id = m.organisation_id
            where o.personal_owner = 'aa000000-0000-4000-8000-000000000003' and m.user_id = o.personal_owner), 'admin',
  'a user in no organisation gets a personal one on their first quote, as its admin');

select * from finish();
rollback;
