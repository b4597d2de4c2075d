-- The shape of the schema and the rules every migration follows: tables, RLS on
-- everything, explicit grants, no privileges for anon, functions with an empty
-- search_path and no SECURITY DEFINER function callable through the API (the CLI's
-- advisors do not check that one yet), covered foreign keys, timestamptz only,
-- updated_at triggers, extensions outside public, one policy per operation and role.
begin;
\ir ../helpers/fixtures.psql

select plan(55);

select has_schema('estimator');
select has_schema('shared');
select tables_are('estimator',
  array['quotes', 'quote_items', 'panels', 'breakers', 'documents', 'evidence_blobs',
        'quote_number_counters', 'organisations', 'memberships', 'quote_reviews'],
  'estimator holds the quote tables');
select tables_are('shared',
  array['catalog_versions', 'catalog_items', 'audit_logs', 'company_profiles'],
  'shared holds the catalog and the audit log');
select functions_are('estimator',
  array['create_quote', 'validate_evidence_integrity', 'calculate_quote_totals', 'get_phase_balance',
        'user_exists', 'assign_quote_number', 'quotes_set_organisation', 'create_organisation',
        'set_member', 'remove_member', 'user_id_by_email', 'quotes_chain_revision', 'quotes_check_member',
        'quotes_refuse_change', 'review_quote', 'create_revision', 'record_documents',
        'member_emails'],
  'estimator functions');
select functions_are('estimator_private',
  array['user_orgs', 'has_role_on_org', 'personal_org', 'member_has_role', 'acting_user',
        'quote_reviews_set_email', 'member_emails'],
  'estimator_private holds the membership helpers (and the reviewer e-mail trigger)');
select is(
  array(select format('%s.%s', n.nspname, p.proname) from pg_proc p
          join pg_namespace n on n.oid = p.pronamespace
         where p.prosecdef and n.nspname in ('estimator', 'shared')
         order by 1),
  '{}'::text[], 'no SECURITY DEFINER function in an exposed schema');
select is(
  array(select format('%s.%s', n.nspname, p.proname) from pg_proc p
          join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'estimator_private'
           and (not coalesce(p.proconfig @> array['search_path=""'], false)
                or has_function_privilege('anon', p.oid, 'execute'))
         order by 1),
  '{}'::text[], 'the helpers have an empty search_path and are not executable by anon');
select ok(not has_schema_privilege('anon', 'estimator_private', 'usage'), 'anon has no usage on estimator_private');
select functions_are('shared',
  array['check_sha256', 'set_updated_at', 'refuse_audit_change', 'activate_catalog_version', 'health_check_detailed'],
  'shared functions');

-- Row-level security and privileges ---------------------------------------------------------
select is(
  array(select format('%s.%s', n.nspname, c.relname)
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname in ('estimator', 'shared') and c.relkind in ('r', 'p') and not c.relrowsecurity
         order by 1),
  '{}'::text[], 'RLS is enabled on every table');
select ok(not has_schema_privilege('anon', 'estimator', 'usage'), 'anon has no usage on estimator');
select ok(not has_schema_privilege('anon', 'shared', 'usage'), 'anon has no usage on shared');
select is(
  array(select format('%s.%s', n.nspname, c.relname)
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname in ('estimator', 'shared') and c.relkind in ('r', 'p', 'v', 'm')
           and (has_table_privilege('anon', c.oid, 'select, insert, update, delete, truncate, references, trigger')
                or has_any_column_privilege('anon', c.oid, 'select, insert, update, references'))
         order by 1),
  '{}'::text[], 'anon holds no privilege on any table (the default grants were revoked)');
select is(
  array(select format('%s.%s', n.nspname, c.relname)
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname in ('estimator', 'shared') and c.relkind in ('r', 'p')
           and (has_table_privilege('authenticated', c.oid, 'truncate, references, trigger')
                or has_table_privilege('service_role', c.oid, 'truncate, references, trigger'))
         order by 1),
  '{}'::text[], 'no API role may truncate, reference or add triggers');
select is(
  array(select p.oid::regprocedure::text
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname in ('estimator', 'shared')
           and (has_function_privilege('anon', p.oid, 'execute')
                or exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                            where a.grantee = 0 and a.privilege_type = 'EXECUTE'))
         order by 1),
  '{}'::text[], 'no function is executable by anon or PUBLIC');
select is(
  array(select p.oid::regprocedure::text
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname in ('estimator', 'shared') and p.prosecdef
           and (has_function_privilege('anon', p.oid, 'execute')
                or has_function_privilege('authenticated', p.oid, 'execute'))
         order by 1),
  '{}'::text[], 'no SECURITY DEFINER function is executable by anon or authenticated (splinter 0028/0029)');
select is(
  array(select p.oid::regprocedure::text
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname in ('estimator', 'shared')
           and not coalesce('search_path=""' = any (p.proconfig), false)
         order by 1),
  '{}'::text[], 'every function pins search_path to an empty string');

select table_privs_are('estimator', 'quotes', 'authenticated', array['SELECT']);
select column_privs_are('estimator', 'quotes', 'status', 'authenticated', array['SELECT']);
select table_privs_are('estimator', 'quotes', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('estimator', 'quote_items', 'authenticated', array['SELECT']);
select table_privs_are('estimator', 'quote_items', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('estimator', 'panels', 'authenticated', array['SELECT']);
select table_privs_are('estimator', 'panels', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('estimator', 'breakers', 'authenticated', array['SELECT']);
select table_privs_are('estimator', 'breakers', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('estimator', 'documents', 'authenticated', array['SELECT']);
select table_privs_are('estimator', 'documents', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('estimator', 'evidence_blobs', 'authenticated', array['SELECT']);
select table_privs_are('estimator', 'evidence_blobs', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('shared', 'catalog_versions', 'authenticated', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('shared', 'catalog_versions', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('shared', 'catalog_items', 'authenticated', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('shared', 'catalog_items', 'service_role', array['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
select table_privs_are('shared', 'audit_logs', 'authenticated', array['INSERT']);
select table_privs_are('shared', 'audit_logs', 'service_role', array['SELECT', 'INSERT']);

-- Policies ------------------------------------------------------------------------------------
select is(
  array(select format('%s.%s %s', schemaname, tablename, policyname) from pg_policies
         where (schemaname in ('estimator', 'shared') or policyname like 'estimator\_%')
           and 'public' = any (roles)
         order by 1),
  '{}'::text[], 'every policy names its roles (none applies to PUBLIC)');
select is(
  array(select format('%s.%s %s %s', schemaname, tablename, cmd, r) from pg_policies, unnest(roles) as r
         where (schemaname in ('estimator', 'shared') or policyname like 'estimator\_%')
           and permissive = 'PERMISSIVE'
         group by schemaname, tablename, cmd, r having count(*) > 1
         order by 1),
  '{}'::text[], 'one permissive policy per table, operation and role');
select is(
  array(select format('%s.%s %s', schemaname, tablename, policyname) from pg_policies
         where (schemaname in ('estimator', 'shared') or policyname like 'estimator\_%')
           and (coalesce(qual, '') ~ 'auth\.(uid|jwt)\(\)' and coalesce(qual, '') !~* 'select auth\.(uid|jwt)\(\)'
                or coalesce(with_check, '') ~ 'auth\.(uid|jwt)\(\)' and coalesce(with_check, '') !~* 'select auth\.(uid|jwt)\(\)')
         order by 1),
  '{}'::text[], 'policies wrap auth.uid()/auth.jwt() in a select (evaluated once per statement)');
select is(
  array(select format('%s.%s %s', schemaname, tablename, policyname) from pg_policies
         where (schemaname in ('estimator', 'shared') or policyname like 'estimator\_%')
           and (coalesce(qual, '') ~ 'user_metadata' or coalesce(with_check, '') ~ 'user_metadata')
         order by 1),
  '{}'::text[], 'no policy trusts user_metadata');
select policies_are('storage', 'objects', array['estimator_objects_select_quote_member'],
  'storage.objects carries only the estimator read policy');

-- Keys, indexes, types, triggers -------------------------------------------------------------
select is(
  array(select format('%s %s', c.conrelid::regclass, c.conname)
          from pg_constraint c join pg_class t on t.oid = c.conrelid
          join pg_namespace n on n.oid = t.relnamespace
         where c.contype = 'f' and n.nspname in ('estimator', 'shared')
           and not exists (
             select 1 from pg_index i
              where i.indrelid = c.conrelid and i.indisvalid
                and (string_to_array(i.indkey::text, ' ')::smallint[])[1:cardinality(c.conkey)] = c.conkey)
         order by 1),
  '{}'::text[], 'every foreign key is covered by an index that starts with its columns');
select is(
  array(select format('%s.%s.%s', table_schema, table_name, column_name)
          from information_schema.columns
         where table_schema in ('estimator', 'shared')
           and data_type in ('timestamp without time zone', 'time without time zone', 'date')
         order by 1),
  '{}'::text[], 'time is stored as timestamptz everywhere');
select is(
  array(select format('%s.%s', n.nspname, c.relname)
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname in ('estimator', 'shared') and c.relkind = 'r'
           and c.oid <> 'shared.audit_logs'::regclass
           and not exists (
             select 1 from pg_trigger tg
              where tg.tgrelid = c.oid and not tg.tgisinternal
                and tg.tgfoid = 'shared.set_updated_at()'::regprocedure)
         order by 1),
  '{}'::text[], 'every mutable table stamps updated_at in a trigger');
select col_type_is('estimator', 'quotes', 'subtotal', 'bigint', 'money is integer won (bigint)');
select col_type_is('estimator', 'quote_items', 'qty', 'numeric(14,2)', 'quantities are numeric');
select col_type_is('estimator', 'quotes', 'response', 'jsonb', 'the stored response is jsonb');
select col_type_is('shared', 'catalog_versions', 'content', 'jsonb', 'the catalog document is jsonb');
select has_index('shared', 'catalog_versions', 'catalog_versions_one_active', 'the one-active index exists');
select index_is_unique('shared', 'catalog_versions', 'catalog_versions_one_active');
select col_has_check('estimator', 'evidence_blobs', 'sha256', 'evidence sha256 has a CHECK');
select is(
  (select pg_get_constraintdef(oid) from pg_constraint where conname = 'evidence_blobs_sha256_format'),
  'CHECK ((sha256 ~ ''^[0-9a-f]{64}$''::text))', 'the evidence CHECK requires 64 lowercase hex');

-- Extensions and buckets ------------------------------------------------------------------------
select is(
  array(select e.extname::text from pg_extension e where e.extnamespace = 'public'::regnamespace order by 1),
  '{}'::text[], 'no extension lives in public');
select results_eq(
  $$select id, public, file_size_limit from storage.buckets where id in ('documents', 'evidence') order by id$$,
  $$values ('documents'::text, false, 52428800::bigint), ('evidence'::text, false, 10485760::bigint)$$,
  'the private buckets exist with their size limits (as in supabase/config.toml)');

select * from finish();
rollback;
