-- The company profile: every signed-in user reads it; only the server (service_role, for
-- an admin the functions have checked) writes it; nobody rewrites history.
begin;
\ir ../helpers/fixtures.psql

select plan(7);

select tests.act_as('server:alice');
insert into shared.company_profiles (id, content, content_sha256, created_by)
values ('f0000000-0000-4000-8000-000000000001', '{"name": "KIS"}', repeat('f', 64), auth.uid());
select tests.act_as('postgres');

select is(tests.try('alice', $$select 1 from shared.company_profiles where id = 'f0000000-0000-4000-8000-000000000001'$$),
  'ok:1', 'an estimator reads the profile');
select is(tests.try('bob', $$select 1 from shared.company_profiles where id = 'f0000000-0000-4000-8000-000000000001'$$),
  'ok:1', 'so does every other signed-in user');
select is(tests.try('anon', $$select 1 from shared.company_profiles$$),
  'denied', 'anonymous callers do not');
select is(tests.try('alice', $$insert into shared.company_profiles (content, content_sha256)
                               values ('{"name": "forged"}', repeat('0', 64))$$),
  'denied', 'a user cannot write a profile');
select is(tests.try('alice', $$update shared.company_profiles set content = '{}'$$),
  'denied', 'nor change one');
select is(tests.try('server:alice', $$update shared.company_profiles set content = '{}'$$),
  'denied', 'even the server only appends');
select is((select created_by from shared.company_profiles where id = 'f0000000-0000-4000-8000-000000000001'),
  'a11ce000-0000-4000-8000-000000000001'::uuid, 'a change records who made it');

select * from finish();
rollback;
