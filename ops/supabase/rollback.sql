-- Removes everything db/migrations created, and the Supabase CLI's record of having
-- applied them, so `supabase db push` applies every migration again from scratch.
-- Applied by ops/supabase/rollback.sh. Destroys all quotes and catalogs: for a local or
-- staging database, or a production restore drill, never as a routine step.
--
-- Keep it in step with the migrations: a migration that creates something outside the
-- estimator and shared schemas (a policy on storage.objects, a bucket, an extension)
-- adds its undo here. The integration suite checks that nothing is left behind.
--
-- Left alone on purpose: what the platform (or ops/supabase/bootstrap.sql locally)
-- provides: roles, auth.*, storage tables and functions, the extensions schema.

set client_min_messages = warning;

begin;

-- storage: the policy, then the buckets with their object rows (locally the object rows
-- are all there is; on hosted Supabase empty the buckets through the Storage API first).
drop policy if exists estimator_objects_select_quote_owner on storage.objects;
drop policy if exists estimator_objects_select_quote_member on storage.objects;
delete from storage.objects where bucket_id in ('evidence', 'documents');
delete from storage.buckets where id in ('evidence', 'documents');

-- Tables, functions, triggers, policies and grants all live in the two schemas (and the
-- membership helpers in estimator_private).
drop schema if exists estimator_private cascade;
drop schema if exists estimator cascade;
drop schema if exists shared cascade;

-- The CLI's migration history: without these rows `db push` would skip the migrations.
do $$
begin
  if to_regclass('supabase_migrations.schema_migrations') is not null then
    delete from supabase_migrations.schema_migrations
     where version in (
       '20261122000100', '20261122000200', '20261122000300',
       '20261122000400', '20261122000500', '20261122000600', '20261122000700',
       '20261130000100', '20261130000200', '20261130000300', '20261130000400',
       '20261130000600', '20261130000700', '20261130000800', '20261130000850',
       '20261130000900', '20261130001000', '20261130001100', '20261130001110',
       '20261130001200', '20261130001300', '20261130001400');
  end if;
end
$$;

commit;
