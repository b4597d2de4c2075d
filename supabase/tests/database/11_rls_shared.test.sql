-- Row-level security and grants of the shared schema (catalog, audit log), same matrix
-- as 10_rls_estimator: anon, alice (a user), bob (another user), carol (catalog admin by
-- app_metadata), service_role. The catalog is readable by every user and writable only
-- by service_role or a catalog admin; the audit log is insert-only.
begin;
\ir ../helpers/fixtures.psql

select plan(73);

-- shared.catalog_versions ---------------------------------------------------------------------
select tests.matrix('catalog_versions: select the active version',
  $$select 1 from shared.catalog_versions where id = 'c0000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1']);
select tests.matrix('catalog_versions: insert a staging version',
  $$insert into shared.catalog_versions (label, content, content_sha256)
    values ('test-v2', '{"version": "test-v2"}', repeat('f', 64))$$,
  array['denied', 'rls', 'rls', 'ok:1', 'ok:1']);
select tests.matrix('catalog_versions: update notes of the active version',
  $$update shared.catalog_versions set notes = 'checked' where id = 'c0000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:0', 'ok:0', 'ok:1', 'ok:1']);
select tests.matrix('catalog_versions: delete a version no quote uses',
  $$delete from shared.catalog_versions where id = 'c0000000-0000-4000-8000-0000000000ff'$$,
  array['denied', 'ok:0', 'ok:0', 'ok:1', 'ok:1']);

-- shared.catalog_items ------------------------------------------------------------------------
select tests.matrix('catalog_items: select an item',
  $$select 1 from shared.catalog_items where id = 'c1000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:1', 'ok:1', 'ok:1', 'ok:1']);
select tests.matrix('catalog_items: insert an item',
  $$insert into shared.catalog_items (version_id, kind, brand, model, af, poles, price)
    values ('c0000000-0000-4000-8000-000000000001', 'breaker', 'LS', 'ABN-52c', 50, 2, 12000)$$,
  array['denied', 'rls', 'rls', 'ok:1', 'ok:1']);
select tests.matrix('catalog_items: update a price',
  $$update shared.catalog_items set price = 12500 where id = 'c1000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:0', 'ok:0', 'ok:1', 'ok:1']);
select tests.matrix('catalog_items: delete an item',
  $$delete from shared.catalog_items where id = 'c1000000-0000-4000-8000-000000000001'$$,
  array['denied', 'ok:0', 'ok:0', 'ok:1', 'ok:1']);

-- The admin claim counts only in app_metadata; user_metadata is the user's to edit.
select is(tests.try('mallory', $$insert into shared.catalog_items (version_id, kind, model, price)
    values ('c0000000-0000-4000-8000-000000000001', 'breaker', 'FAKE-1', 1)$$),
  'rls', 'catalog_items: a catalog_admin claim in user_metadata grants nothing');
select is(tests.try('mallory', $$update shared.catalog_items set price = 1 where id = 'c1000000-0000-4000-8000-000000000001'$$),
  'ok:0', 'catalog_items: a user_metadata "admin" cannot change prices');
select is(tests.try('mallory', $$update shared.catalog_versions set notes = 'x' where id = 'c0000000-0000-4000-8000-000000000001'$$),
  'ok:0', 'catalog_versions: a user_metadata "admin" cannot change versions');

-- shared.audit_logs: insert-only --------------------------------------------------------------
select tests.matrix('audit_logs: select an entry',
  $$select 1 from shared.audit_logs where id = 'e0000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'ok:1']);
select tests.matrix('audit_logs: insert an entry with alice as actor',
  $$insert into shared.audit_logs (actor, action, target)
    values ('a11ce000-0000-4000-8000-000000000001', 'quote.view', 'quote:a0000000-0000-4000-8000-0000000000a1')$$,
  array['denied', 'ok:1', 'rls', 'rls', 'ok:1']);
select tests.matrix('audit_logs: update an entry',
  $$update shared.audit_logs set action = 'quote.forged' where id = 'e0000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied']);
select tests.matrix('audit_logs: delete an entry',
  $$delete from shared.audit_logs where id = 'e0000000-0000-4000-8000-000000000001'$$,
  array['denied', 'denied', 'denied', 'denied', 'denied']);
select is(tests.try('postgres', $$update shared.audit_logs set action = 'quote.forged' where id = 'e0000000-0000-4000-8000-000000000001'$$),
  'denied', 'audit_logs: even the table owner cannot update an entry');
select is(tests.try('postgres', $$delete from shared.audit_logs$$),
  'denied', 'audit_logs: even the table owner cannot delete entries');
select is(tests.try('postgres', $$truncate shared.audit_logs$$),
  'denied', 'audit_logs: even the table owner cannot truncate the log');

-- Catalog activation as the admin would do it -------------------------------------------------
select is(tests.try('alice', $$select shared.activate_catalog_version('c0000000-0000-4000-8000-000000000001')$$),
  'ok:1', 'activating the already active version is a no-op for anyone who can read it');
select tests.act_as('carol');
insert into shared.catalog_versions (id, label, content, content_sha256)
values ('c0000000-0000-4000-8000-000000000002', 'test-v2', '{"version": "test-v2"}', repeat('f', 64));
select tests.act_as('postgres');
select is(tests.try('alice', $$select shared.activate_catalog_version('c0000000-0000-4000-8000-000000000002')$$),
  'denied', 'a user cannot activate a catalog version');
select is(tests.try('anon', $$select shared.activate_catalog_version('c0000000-0000-4000-8000-000000000002')$$),
  'denied', 'anon cannot call activate_catalog_version');

select tests.act_as('carol');
select is((shared.activate_catalog_version('c0000000-0000-4000-8000-000000000002')).status,
  'active', 'a catalog admin activates a staging version');
select tests.act_as('postgres');
select results_eq(
  $$select id::text, status from shared.catalog_versions
     where id in ('c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002') order by id$$,
  $$values ('c0000000-0000-4000-8000-000000000001', 'retired'), ('c0000000-0000-4000-8000-000000000002', 'active')$$,
  'activation retires the previously active version in the same transaction');
select is((select activated_by from shared.catalog_versions where id = 'c0000000-0000-4000-8000-000000000002'),
  'ca201000-0000-4000-8000-000000000003'::uuid, 'activation records who activated');
select is((select count(*)::integer from shared.audit_logs
            where action = 'catalog.activate' and target = 'catalog_version:c0000000-0000-4000-8000-000000000002'
              and actor = 'ca201000-0000-4000-8000-000000000003'),
  1, 'activation writes an audit entry');

select * from finish();
rollback;
