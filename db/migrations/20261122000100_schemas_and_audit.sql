-- KIS Estimator: schemas, shared helpers and the audit log.
--
-- Conventions for every migration in this folder (see db/README.md):
--   * objects live in `estimator` (quotes and what hangs under them) or `shared`
--     (catalog, audit); extensions in `extensions`, never `public`;
--   * every table: RLS enabled, `revoke all` from the API roles, then explicit grants
--     written next to it (no reliance on default privileges), one policy per operation
--     and role, `(select auth.uid())` so the planner evaluates it once;
--   * every function: `set search_path = ''` and fully qualified names; EXECUTE revoked
--     from public/anon/authenticated and granted only to the roles that need it.

create schema estimator;
comment on schema estimator is
  'KIS Estimator: quotes and everything that hangs under them (items, panels, breakers, documents, evidence).';
create schema shared;
comment on schema shared is
  'KIS Estimator: data shared by all users: versioned catalogs, audit log.';

-- New schemas grant nothing to PUBLIC; anon gets no usage at all.
revoke all on schema estimator from public;
revoke all on schema shared from public;
grant usage on schema estimator to authenticated, service_role;
grant usage on schema shared to authenticated, service_role;

-- shared.check_sha256 -------------------------------------------------------------------
-- True when the text is a SHA-256 hex digest as the engine writes it: 64 lowercase hex.
create function shared.check_sha256(value text)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select coalesce(value ~ '^[0-9a-f]{64}$', false)
$$;
comment on function shared.check_sha256(text) is
  'True when value is a SHA-256 hex digest: exactly 64 lowercase hex characters.';
revoke all on function shared.check_sha256(text) from public, anon, authenticated, service_role;
grant execute on function shared.check_sha256(text) to authenticated, service_role;

-- shared.set_updated_at: the one updated_at trigger function --------------------------
create function shared.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function shared.set_updated_at() is 'Trigger: stamps updated_at on every update.';
-- Triggers do not need EXECUTE at fire time; nobody calls this directly.
revoke all on function shared.set_updated_at() from public, anon, authenticated, service_role;

-- shared.audit_logs: append-only ---------------------------------------------------------
create table shared.audit_logs (
  id uuid primary key default gen_random_uuid(),
  actor uuid,
  action text not null,
  target text not null,
  detail jsonb not null default '{}'::jsonb,
  at timestamptz not null default now(),
  constraint audit_logs_action_format check (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'),
  constraint audit_logs_target_length check (char_length(target) between 1 and 500),
  constraint audit_logs_detail_is_object check (jsonb_typeof(detail) = 'object')
);
comment on table shared.audit_logs is
  'Append-only audit trail: who (actor = auth user id, null for the system) did what (action) to what (target).';
create index audit_logs_actor_at_idx on shared.audit_logs (actor, at);
create index audit_logs_at_idx on shared.audit_logs (at);

alter table shared.audit_logs enable row level security;
revoke all on table shared.audit_logs from public, anon, authenticated, service_role;
-- Users may append entries about themselves and never read or change the log;
-- service_role reads and appends; nobody updates or deletes.
grant insert on table shared.audit_logs to authenticated;
grant select, insert on table shared.audit_logs to service_role;

create policy audit_logs_insert_self on shared.audit_logs
  for insert to authenticated
  with check (actor = (select auth.uid()));

-- Append-only even for the table owner: updates, deletes and truncates are refused.
create function shared.refuse_audit_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'shared.audit_logs is append-only (% refused)', tg_op
    using errcode = '42501';
end
$$;
comment on function shared.refuse_audit_change() is 'Trigger: keeps shared.audit_logs append-only.';
revoke all on function shared.refuse_audit_change() from public, anon, authenticated, service_role;

create trigger audit_logs_append_only
  before update or delete on shared.audit_logs
  for each row execute function shared.refuse_audit_change();
create trigger audit_logs_no_truncate
  before truncate on shared.audit_logs
  for each statement execute function shared.refuse_audit_change();
