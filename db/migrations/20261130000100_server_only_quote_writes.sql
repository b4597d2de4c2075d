-- Quotes and everything under them are written only by the functions.
--
-- Until now `authenticated` could insert quotes, lines, panels, breakers, documents and
-- evidence rows of its own (and update a quote's status, delete a quote), and execute
-- estimator.create_quote: through the Data API a signed-in user could store a quote the
-- engine never priced ("issued", subtotal 1) with evidence rows naming any object path.
-- Now users keep read access (RLS: their own rows only) and lose every write; the
-- functions write as service_role (the server's role, never given to users), which runs
-- estimator.create_quote with the caller's verified claims, so auth.uid() still names
-- the owner and the audit actor.

revoke insert, update, delete on table
  estimator.quotes, estimator.quote_items, estimator.panels, estimator.breakers,
  estimator.documents, estimator.evidence_blobs
  from authenticated;
revoke update (status) on table estimator.quotes from authenticated;

drop policy quotes_insert_owner on estimator.quotes;
drop policy quotes_update_owner on estimator.quotes;
drop policy quotes_delete_owner on estimator.quotes;
drop policy quote_items_insert_owner on estimator.quote_items;
drop policy panels_insert_owner on estimator.panels;
drop policy breakers_insert_owner on estimator.breakers;
drop policy documents_insert_owner on estimator.documents;
drop policy evidence_blobs_insert_owner on estimator.evidence_blobs;

revoke execute on function estimator.create_quote(jsonb) from authenticated;
comment on function estimator.create_quote(jsonb) is
  'Stores a quote with its items, panels, breakers, documents and evidence atomically and returns its id; idempotent per (owner, idempotency_key). Executable by service_role only (the functions); the owner is auth.uid() of the claims set, or the payload''s "owner". Payload shape: see the migration that defines it.';

-- estimator.user_exists ------------------------------------------------------------------
-- Whether a user id has an auth.users row: the functions ask before uploading anything,
-- so a token of a deleted user (or any token after a local reset) writes nothing.
-- Runs with the caller's rights (service_role reads auth.users, as on hosted Supabase);
-- executable by service_role only.
create function estimator.user_exists(user_id uuid)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (select 1 from auth.users as u where u.id = user_exists.user_id)
$$;
comment on function estimator.user_exists(uuid) is
  'True when auth.users has this id (service_role only: the functions check a token''s subject before writing).';
revoke all on function estimator.user_exists(uuid) from public, anon, authenticated, service_role;
grant execute on function estimator.user_exists(uuid) to service_role;
