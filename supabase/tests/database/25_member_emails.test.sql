-- Member e-mails (20261130001200): a member of an organisation reads its members' e-mail
-- addresses and the reviewers' on its quotes; a non-member gets no rows, and the private
-- helper answers only about the caller's own organisations.
--
-- ACME: ann (admin), rita (reviewer), eve (estimator, creates quote X, which rita approves).
-- BETA: bill (admin).
begin;
\ir ../helpers/fixtures.psql

select plan(11);

insert into auth.users (id, email, role, aud, raw_app_meta_data, raw_user_meta_data, created_at)
values
  ('ae000000-0000-4000-8000-000000000001', 'ann@acme.test', 'authenticated', 'authenticated', '{}', '{}', now()),
  ('ae000000-0000-4000-8000-000000000002', 'rita@acme.test', 'authenticated', 'authenticated', '{}', '{}', now()),
  ('ae000000-0000-4000-8000-000000000003', 'eve@acme.test', 'authenticated', 'authenticated', '{}', '{}', now()),
  ('be000000-0000-4000-8000-000000000001', 'bill@beta.test', 'authenticated', 'authenticated', '{}', '{}', now());
insert into estimator.organisations (id, name) values
  ('0e000000-0000-4000-8000-00000000000a', 'ACME'),
  ('0e000000-0000-4000-8000-00000000000b', 'BETA');
insert into estimator.memberships (organisation_id, user_id, role) values
  ('0e000000-0000-4000-8000-00000000000a', 'ae000000-0000-4000-8000-000000000001', 'admin'),
  ('0e000000-0000-4000-8000-00000000000a', 'ae000000-0000-4000-8000-000000000002', 'reviewer'),
  ('0e000000-0000-4000-8000-00000000000a', 'ae000000-0000-4000-8000-000000000003', 'estimator'),
  ('0e000000-0000-4000-8000-00000000000b', 'be000000-0000-4000-8000-000000000001', 'admin');

-- `name` acts through the Data API (authenticated), `server:name` as the functions do
-- (service_role: it bypasses RLS, which is why the functions read as `authenticated`).
create function tests.me(actor text) returns void
language plpgsql
as $$
declare
  v_name text := regexp_replace(actor, '^server:', '');
  v_id uuid := case v_name
    when 'ann' then 'ae000000-0000-4000-8000-000000000001'
    when 'rita' then 'ae000000-0000-4000-8000-000000000002'
    when 'eve' then 'ae000000-0000-4000-8000-000000000003'
    when 'bill' then 'be000000-0000-4000-8000-000000000001'
  end::uuid;
begin
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', v_id, 'role', 'authenticated', 'aud', 'authenticated',
    'app_metadata', '{}'::jsonb, 'user_metadata', '{}'::jsonb)::text, true);
  perform set_config('role', case when actor like 'server:%' then 'service_role' else 'authenticated' end, true);
end
$$;
grant execute on all functions in schema tests to anon, authenticated, service_role;

-- Quote X of ACME by eve, in review; rita approves it.
select tests.me('server:eve');
select estimator.create_quote(jsonb_build_object(
  'id', 'ae0000e0-0000-4000-8000-0000000000a1', 'idempotency_key', 'emails-x', 'status', 'needs_review',
  'organisation_id', '0e000000-0000-4000-8000-00000000000a',
  'request', jsonb_build_object('brand', 'SANGDO'), 'request_sha256', repeat('a', 64),
  'response', jsonb_build_object('status', 'needs_review'),
  'catalog_version_id', 'c0000000-0000-4000-8000-000000000001',
  'catalog_label', 'test-v1', 'catalog_sha256', repeat('c', 64),
  'subtotal', 10000, 'vat', 1000, 'grand_total', 11000, 'evidence_root_sha256', repeat('e', 64),
  'items', '[]'::jsonb, 'panels', '[]'::jsonb, 'documents', '[]'::jsonb,
  'evidence', jsonb_build_array(jsonb_build_object('stage', 'input',
    'storage_path', 'quote/ae0000e0-0000-4000-8000-0000000000a1/input/' || repeat('1', 64) || '.json',
    'sha256', repeat('1', 64), 'size_bytes', 10))));
select tests.me('server:rita');
select estimator.review_quote('ae0000e0-0000-4000-8000-0000000000a1', 'approve', 'looks right');

-- The members list ------------------------------------------------------------------------
select tests.me('eve');
select results_eq(
  $$select email from estimator.member_emails('0e000000-0000-4000-8000-00000000000a') order by email$$,
  array['ann@acme.test', 'eve@acme.test', 'rita@acme.test'],
  'a member reads every member''s e-mail of the organisation');
select tests.me('bill');
select is_empty(
  $$select * from estimator.member_emails('0e000000-0000-4000-8000-00000000000a')$$,
  'a non-member gets no e-mail of the organisation');
select is_empty(
  $$select * from estimator_private.member_emails('0e000000-0000-4000-8000-00000000000a')$$,
  'nor from the private helper');
select results_eq(
  $$select email from estimator.member_emails('0e000000-0000-4000-8000-00000000000b')$$,
  array['bill@beta.test'], 'bill reads his own organisation''s');
select tests.me('server:bill');
select is_empty(
  $$select * from estimator.member_emails('0e000000-0000-4000-8000-00000000000a')$$,
  'the functions acting for a non-member get nothing either');
select tests.act_as('anon');
select throws_ok(
  $$select * from estimator.member_emails('0e000000-0000-4000-8000-00000000000a')$$,
  '42501', null, 'anon cannot call it');

-- The review history is the quote's quote_reviews rows under RLS, with the e-mail recorded
-- with each decision (migration 20261130001110) ---------------------------------------------
select tests.me('eve');
select results_eq(
  $$select decision, reason, reviewer, reviewer_email from estimator.quote_reviews
     where quote_id = 'ae0000e0-0000-4000-8000-0000000000a1'$$,
  $$values ('approve'::text, 'looks right'::text, 'ae000000-0000-4000-8000-000000000002'::uuid, 'rita@acme.test'::text)$$,
  'a member of the quote''s organisation reads who decided what, with the reviewer''s e-mail');
select tests.me('ann');
select is((select count(*)::int from estimator.quote_reviews where quote_id = 'ae0000e0-0000-4000-8000-0000000000a1'), 1,
  'so does another member');
select tests.me('bill');
select is_empty(
  $$select * from estimator.quote_reviews where quote_id = 'ae0000e0-0000-4000-8000-0000000000a1'$$,
  'another organisation''s member reads no review');

-- A reviewer who left the organisation: the decision stays with the e-mail it was made with,
-- and the members list no longer names them.
select tests.act_as('postgres');
delete from estimator.memberships
 where organisation_id = '0e000000-0000-4000-8000-00000000000a' and user_id = 'ae000000-0000-4000-8000-000000000002';
select tests.me('eve');
select results_eq(
  $$select decision, reviewer_email from estimator.quote_reviews where quote_id = 'ae0000e0-0000-4000-8000-0000000000a1'$$,
  $$values ('approve'::text, 'rita@acme.test'::text)$$,
  'a former member''s decision stays, with the e-mail recorded when it was made');
select results_eq(
  $$select email from estimator.member_emails('0e000000-0000-4000-8000-00000000000a') order by email$$,
  array['ann@acme.test', 'eve@acme.test'], 'and the members list no longer has it');

select * from finish();
rollback;
