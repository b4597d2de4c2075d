-- Teams: organisations, memberships and roles; every quote belongs to an organisation and
-- its members read it (RLS), writes stay with the functions (service_role).
--
-- Pattern: basejump's accounts (github.com/usebasejump/basejump: `basejump.accounts`,
-- `account_user`, `has_role_on_account()`, `get_accounts_with_role()`): membership rows
-- in a table, read by SECURITY DEFINER helpers that the RLS policies call. Chosen over a
-- custom access-token hook (memberships copied into the JWT) because a change of
-- membership takes effect on the next statement instead of at the next token refresh (a
-- removed member must lose access at once), because the functions can pick an
-- organisation per request without minting tokens, and because it needs no Auth hook
-- configuration on the hosted project. The helpers are SECURITY DEFINER so a policy can
-- read memberships without recursing into the memberships policy; they live in
-- `estimator_private`, a schema the Data API does not expose (no SECURITY DEFINER in an
-- exposed schema), and only ever answer about the caller (auth.uid()).
--
-- Roles, each including the one before: estimator (reads the organisation's quotes,
-- creates quotes, revises the ones they created), reviewer (also reviews other members'
-- quotes, revises any), admin (also manages members).
--
-- Existing quotes: each owner gets a personal organisation (role admin) and their quotes
-- move into it, so after this migration everybody sees exactly what they saw before.

-- Private schema for the membership helpers ---------------------------------------------------
create schema estimator_private;
comment on schema estimator_private is
  'KIS Estimator: SECURITY DEFINER membership helpers used by RLS policies; not exposed by the Data API.';
revoke all on schema estimator_private from public;
grant usage on schema estimator_private to authenticated, service_role;

-- estimator.organisations ----------------------------------------------------------------------
create table estimator.organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- set for the personal organisation of a user (created for them on demand)
  personal_owner uuid references auth.users (id) on delete cascade,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint organisations_name_not_blank check (btrim(name) <> '' and char_length(name) <= 200),
  constraint organisations_personal_owner_key unique (personal_owner)
);
comment on table estimator.organisations is
  'A team that shares quotes (a panel maker''s estimating office), or a user''s personal organisation (personal_owner).';
create trigger organisations_set_updated_at
  before update on estimator.organisations
  for each row execute function shared.set_updated_at();

-- estimator.memberships ------------------------------------------------------------------------
create table estimator.memberships (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references estimator.organisations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint memberships_organisation_user_key unique (organisation_id, user_id),
  constraint memberships_role_check check (role in ('estimator', 'reviewer', 'admin'))
);
comment on table estimator.memberships is
  'Who belongs to which organisation, as estimator, reviewer or admin (each role includes the previous).';
create index memberships_user_id_idx on estimator.memberships (user_id, organisation_id);
create trigger memberships_set_updated_at
  before update on estimator.memberships
  for each row execute function shared.set_updated_at();

-- Helpers (basejump's has_role_on_account / get_accounts_with_role) --------------------------------
-- The organisations the caller belongs to (with at least `min_role`).
create function estimator_private.user_orgs(min_role text default null)
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select m.organisation_id
    from estimator.memberships as m
   where m.user_id = (select auth.uid())
     and case coalesce(user_orgs.min_role, 'estimator')
           when 'estimator' then true
           when 'reviewer' then m.role in ('reviewer', 'admin')
           when 'admin' then m.role = 'admin'
           else false
         end
$$;
comment on function estimator_private.user_orgs(text) is
  'Ids of the organisations the caller (auth.uid()) belongs to, with at least min_role (estimator < reviewer < admin; null: any).';

-- Whether the caller belongs to the organisation (with at least `min_role`).
create function estimator_private.has_role_on_org(organisation_id uuid, min_role text default null)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
      from estimator_private.user_orgs(has_role_on_org.min_role) as o(id)
     where o.id = has_role_on_org.organisation_id)
$$;
comment on function estimator_private.has_role_on_org(uuid, text) is
  'True when the caller (auth.uid()) is a member of the organisation with at least min_role (estimator < reviewer < admin; null: any role).';

revoke all on function estimator_private.user_orgs(text) from public, anon, authenticated, service_role;
revoke all on function estimator_private.has_role_on_org(uuid, text) from public, anon, authenticated, service_role;
grant execute on function estimator_private.user_orgs(text) to authenticated, service_role;
grant execute on function estimator_private.has_role_on_org(uuid, text) to authenticated, service_role;

-- Whether a given user is a member with at least `min_role`: for the service_role functions,
-- which act for auth.uid() or, over PostgREST with the service key (no user claims), for the
-- user they name.
create function estimator_private.member_has_role(user_id uuid, organisation_id uuid, min_role text default null)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
      from estimator.memberships as m
     where m.user_id = member_has_role.user_id
       and m.organisation_id = member_has_role.organisation_id
       and case coalesce(member_has_role.min_role, 'estimator')
             when 'estimator' then true
             when 'reviewer' then m.role in ('reviewer', 'admin')
             when 'admin' then m.role = 'admin'
             else false
           end)
$$;
comment on function estimator_private.member_has_role(uuid, uuid, text) is
  'True when the user is a member of the organisation with at least min_role (service_role only).';
revoke all on function estimator_private.member_has_role(uuid, uuid, text) from public, anon, authenticated, service_role;
grant execute on function estimator_private.member_has_role(uuid, uuid, text) to service_role;

-- The user a service_role function acts for: auth.uid() of the claims, or `actor` when the
-- claims carry no user (PostgREST with the service key); both, and different: refused.
create function estimator_private.acting_user(actor uuid)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
begin
  if auth.uid() is not null and acting_user.actor is not null and auth.uid() <> acting_user.actor then
    raise exception 'the actor named is not the authenticated user' using errcode = '42501';
  end if;
  if coalesce(auth.uid(), acting_user.actor) is null then
    raise exception 'no authenticated user' using errcode = '42501';
  end if;
  return coalesce(auth.uid(), acting_user.actor);
end
$$;
comment on function estimator_private.acting_user(uuid) is
  'auth.uid(), else the actor named (service_role functions called without user claims).';
revoke all on function estimator_private.acting_user(uuid) from public, anon, authenticated, service_role;
grant execute on function estimator_private.acting_user(uuid) to service_role;

-- The personal organisation of a user, created (with the user as admin) when missing.
create function estimator_private.personal_org(user_id uuid)
returns uuid
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_org uuid;
begin
  insert into estimator.organisations as o (name, personal_owner, created_by)
  select coalesce(nullif(split_part(u.email, '@', 1), ''), 'personal'), u.id, u.id
    from auth.users as u
   where u.id = personal_org.user_id
  on conflict (personal_owner) do nothing
  returning o.id into v_org;
  if v_org is null then
    select o.id into v_org from estimator.organisations as o
     where o.personal_owner = personal_org.user_id;
    if v_org is null then
      raise exception 'personal_org: unknown user %', personal_org.user_id using errcode = '23503';
    end if;
    return v_org;
  end if;
  insert into estimator.memberships (organisation_id, user_id, role)
  values (v_org, personal_org.user_id, 'admin')
  on conflict on constraint memberships_organisation_user_key do nothing;
  return v_org;
end
$$;
comment on function estimator_private.personal_org(uuid) is
  'The personal organisation of a user (the user is its admin), created on first use.';
revoke all on function estimator_private.personal_org(uuid) from public, anon, authenticated, service_role;
grant execute on function estimator_private.personal_org(uuid) to service_role;

-- RLS of the two new tables: members read; the functions (service_role) write.
alter table estimator.organisations enable row level security;
revoke all on table estimator.organisations from public, anon, authenticated, service_role;
grant select on table estimator.organisations to authenticated;
grant select, insert, update, delete on table estimator.organisations to service_role;
create policy organisations_select_member on estimator.organisations
  for select to authenticated
  using (id in (select estimator_private.user_orgs()));

alter table estimator.memberships enable row level security;
revoke all on table estimator.memberships from public, anon, authenticated, service_role;
grant select on table estimator.memberships to authenticated;
grant select, insert, update, delete on table estimator.memberships to service_role;
create policy memberships_select_member on estimator.memberships
  for select to authenticated
  using (organisation_id in (select estimator_private.user_orgs()));

-- Existing quotes move into their owners' personal organisations --------------------------------
alter table estimator.quotes add column organisation_id uuid;
select estimator_private.personal_org(o.owner)
  from (select distinct q.owner from estimator.quotes as q) as o;
update estimator.quotes as q
   set organisation_id = o.id
  from estimator.organisations as o
 where o.personal_owner = q.owner;
alter table estimator.quotes
  alter column organisation_id set not null,
  add constraint quotes_organisation_fkey foreign key (organisation_id)
    references estimator.organisations (id);
create index quotes_organisation_created_idx on estimator.quotes (organisation_id, created_at desc, id desc);
comment on column estimator.quotes.organisation_id is
  'The organisation whose members read the quote; chosen by the functions per request (default: the owner''s only or personal organisation).';

-- Read access: members of the quote's organisation ------------------------------------------------
drop policy quotes_select_owner on estimator.quotes;
create policy quotes_select_member on estimator.quotes
  for select to authenticated
  using (organisation_id in (select estimator_private.user_orgs()));

-- Children: visible when their quote is (the subquery is itself under the quotes policy).
drop policy quote_items_select_owner on estimator.quote_items;
create policy quote_items_select_member on estimator.quote_items
  for select to authenticated
  using (quote_id in (select q.id from estimator.quotes as q));
drop policy panels_select_owner on estimator.panels;
create policy panels_select_member on estimator.panels
  for select to authenticated
  using (quote_id in (select q.id from estimator.quotes as q));
drop policy breakers_select_owner on estimator.breakers;
create policy breakers_select_member on estimator.breakers
  for select to authenticated
  using (panel_id in (select p.id from estimator.panels as p));
drop policy documents_select_owner on estimator.documents;
create policy documents_select_member on estimator.documents
  for select to authenticated
  using (quote_id in (select q.id from estimator.quotes as q));
drop policy evidence_blobs_select_owner on estimator.evidence_blobs;
create policy evidence_blobs_select_member on estimator.evidence_blobs
  for select to authenticated
  using (quote_id in (select q.id from estimator.quotes as q));

-- Storage objects under quote/{id}/: members of the quote's organisation.
drop policy estimator_objects_select_quote_owner on storage.objects;
create policy estimator_objects_select_quote_member on storage.objects
  for select to authenticated
  using (
    bucket_id in ('evidence', 'documents')
    and (storage.foldername(name))[1] = 'quote'
    and exists (
      select 1
        from estimator.quotes as q
       where q.organisation_id in (select estimator_private.user_orgs())
         and q.id::text = (storage.foldername(name))[2]
    )
  );
comment on policy estimator_objects_select_quote_member on storage.objects is
  'KIS Estimator: a user reads objects of the evidence and documents buckets only under quote/{quote_id}/ of their organisations'' quotes.';

-- New quotes: the organisation named, or the owner's only / personal one ------------------------
-- A quote stored without organisation_id goes to the owner's only organisation, to their
-- personal organisation when they have several, or to a personal organisation created on
-- the spot when they have none; with several and no personal one the caller must choose
-- (22023). The owner must be a member of the quote's organisation (42501).
create function estimator.quotes_set_organisation()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_orgs uuid[];
begin
  if new.organisation_id is null then
    select coalesce(array_agg(m.organisation_id), '{}') into v_orgs
      from estimator.memberships as m
     where m.user_id = new.owner;
    if cardinality(v_orgs) = 1 then
      new.organisation_id := v_orgs[1];
    elsif cardinality(v_orgs) = 0 then
      new.organisation_id := estimator_private.personal_org(new.owner);
    else
      select o.id into new.organisation_id
        from estimator.organisations as o
       where o.personal_owner = new.owner and o.id = any (v_orgs);
      if new.organisation_id is null then
        raise exception 'ORGANISATION_REQUIRED: the owner belongs to several organisations; name one'
          using errcode = '22023';
      end if;
    end if;
  end if;
  return new;
end
$$;
comment on function estimator.quotes_set_organisation() is
  'Trigger: files a new quote under the organisation named, else the owner''s only or personal one (created on demand); the owner must be a member.';
revoke all on function estimator.quotes_set_organisation() from public, anon, authenticated, service_role;

create trigger quotes_set_organisation
  before insert on estimator.quotes
  for each row execute function estimator.quotes_set_organisation();

-- The owner must be a member of the quote's organisation: checked after the insert, as a
-- constraint trigger, so a restore (ops/supabase/restore.sh) may defer it to its commit
-- (`set constraints all deferred`) and load quotes before memberships.
create function estimator.quotes_check_member()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not exists (select 1 from estimator.memberships as m
                  where m.organisation_id = new.organisation_id and m.user_id = new.owner) then
    raise exception 'quote owner % is not a member of organisation %', new.owner, new.organisation_id
      using errcode = '42501';
  end if;
  return null;
end
$$;
comment on function estimator.quotes_check_member() is
  'Constraint trigger: a quote''s owner is a member of its organisation.';
revoke all on function estimator.quotes_check_member() from public, anon, authenticated, service_role;

create constraint trigger quotes_owner_is_member
  after insert on estimator.quotes
  deferrable initially immediate
  for each row execute function estimator.quotes_check_member();

-- Managing organisations and members (the functions call these as service_role with the
-- caller's claims, or name the caller in `actor` when the claims carry no user; each checks
-- the caller's role itself and is audited) ------------------------
-- Errors: 42501 no user or not an admin of the organisation; P0002 the organisation is not
-- one of the caller's (another organisation reads as not there) or the user is unknown;
-- 22023 a bad role; PT409 the change would leave the organisation without an admin.

create function estimator.create_organisation(name text, actor uuid default null)
returns uuid
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_uid uuid := estimator_private.acting_user(create_organisation.actor);
  v_org uuid;
begin
  insert into estimator.organisations (name, created_by)
  values (btrim(create_organisation.name), v_uid)
  returning id into v_org;
  insert into estimator.memberships (organisation_id, user_id, role) values (v_org, v_uid, 'admin');
  insert into shared.audit_logs (actor, action, target, detail)
  values (v_uid, 'organisation.create', 'organisation:' || v_org::text,
          jsonb_build_object('name', btrim(create_organisation.name)));
  return v_org;
end
$$;
comment on function estimator.create_organisation(text, uuid) is
  'Creates an organisation with the caller as its admin; audited. service_role only (the functions).';

create function estimator.set_member(organisation_id uuid, user_id uuid, role text, actor uuid default null)
returns estimator.memberships
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_uid uuid := estimator_private.acting_user(set_member.actor);
  v_before text;
  v_row estimator.memberships;
begin
  if not estimator_private.member_has_role(v_uid, set_member.organisation_id) then
    raise exception 'organisation % not found', set_member.organisation_id using errcode = 'P0002';
  end if;
  if not estimator_private.member_has_role(v_uid, set_member.organisation_id, 'admin') then
    raise exception 'only an admin of the organisation manages its members' using errcode = '42501';
  end if;
  if set_member.role is null or set_member.role not in ('estimator', 'reviewer', 'admin') then
    raise exception 'role must be estimator, reviewer or admin' using errcode = '22023';
  end if;
  if not exists (select 1 from auth.users as u where u.id = set_member.user_id) then
    raise exception 'user % not found', set_member.user_id using errcode = 'P0002';
  end if;
  -- Serialise member changes of one organisation (the last-admin check below).
  perform 1 from estimator.organisations as o where o.id = set_member.organisation_id for update;
  select m.role into v_before from estimator.memberships as m
   where m.organisation_id = set_member.organisation_id and m.user_id = set_member.user_id;
  if v_before = 'admin' and set_member.role <> 'admin'
     and not exists (select 1 from estimator.memberships as m
                      where m.organisation_id = set_member.organisation_id
                        and m.role = 'admin' and m.user_id <> set_member.user_id) then
    raise exception 'LAST_ADMIN: the organisation would have no admin' using errcode = 'PT409';
  end if;
  insert into estimator.memberships as m (organisation_id, user_id, role)
  values (set_member.organisation_id, set_member.user_id, set_member.role)
  on conflict on constraint memberships_organisation_user_key
  do update set role = excluded.role
  returning m.* into v_row;
  insert into shared.audit_logs (actor, action, target, detail)
  values (v_uid, case when v_before is null then 'organisation.member_add'
                      else 'organisation.member_role' end,
          'organisation:' || set_member.organisation_id::text,
          jsonb_build_object('user_id', set_member.user_id, 'role', set_member.role,
                             'previous_role', v_before));
  return v_row;
end
$$;
comment on function estimator.set_member(uuid, uuid, text, uuid) is
  'Adds a user to an organisation or changes their role (admins only; the last admin stays); audited. service_role only.';

create function estimator.remove_member(organisation_id uuid, user_id uuid, actor uuid default null)
returns boolean
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_uid uuid := estimator_private.acting_user(remove_member.actor);
  v_before text;
begin
  if not estimator_private.member_has_role(v_uid, remove_member.organisation_id) then
    raise exception 'organisation % not found', remove_member.organisation_id using errcode = 'P0002';
  end if;
  if not estimator_private.member_has_role(v_uid, remove_member.organisation_id, 'admin') then
    raise exception 'only an admin of the organisation manages its members' using errcode = '42501';
  end if;
  perform 1 from estimator.organisations as o where o.id = remove_member.organisation_id for update;
  select m.role into v_before from estimator.memberships as m
   where m.organisation_id = remove_member.organisation_id and m.user_id = remove_member.user_id;
  if v_before is null then
    return false;
  end if;
  if v_before = 'admin'
     and not exists (select 1 from estimator.memberships as m
                      where m.organisation_id = remove_member.organisation_id
                        and m.role = 'admin' and m.user_id <> remove_member.user_id) then
    raise exception 'LAST_ADMIN: the organisation would have no admin' using errcode = 'PT409';
  end if;
  delete from estimator.memberships as m
   where m.organisation_id = remove_member.organisation_id and m.user_id = remove_member.user_id;
  insert into shared.audit_logs (actor, action, target, detail)
  values (v_uid, 'organisation.member_remove', 'organisation:' || remove_member.organisation_id::text,
          jsonb_build_object('user_id', remove_member.user_id, 'previous_role', v_before));
  return true;
end
$$;
comment on function estimator.remove_member(uuid, uuid, uuid) is
  'Removes a member (admins only; the last admin stays); audited. service_role only.';

-- A user id for an e-mail address (inviting by e-mail): service_role reads auth.users.
create function estimator.user_id_by_email(email text)
returns uuid
language sql
stable
set search_path = ''
as $$
  select u.id from auth.users as u where lower(u.email) = lower(btrim(user_id_by_email.email))
$$;
comment on function estimator.user_id_by_email(text) is
  'The auth user id of an e-mail address (case-insensitive), or null. service_role only.';

revoke all on function estimator.create_organisation(text, uuid) from public, anon, authenticated, service_role;
revoke all on function estimator.set_member(uuid, uuid, text, uuid) from public, anon, authenticated, service_role;
revoke all on function estimator.remove_member(uuid, uuid, uuid) from public, anon, authenticated, service_role;
revoke all on function estimator.user_id_by_email(text) from public, anon, authenticated, service_role;
grant execute on function estimator.create_organisation(text, uuid) to service_role;
grant execute on function estimator.set_member(uuid, uuid, text, uuid) to service_role;
grant execute on function estimator.remove_member(uuid, uuid, uuid) to service_role;
grant execute on function estimator.user_id_by_email(text) to service_role;
