-- Versioned catalogs. A catalog version holds the whole catalog document the engine
-- loads (`content`, one JSON document) and its items as a queryable projection.
-- At most one version is active, enforced by a partial unique index; activation
-- swaps versions in one transaction (shared.activate_catalog_version).
--
-- Readers: every authenticated user. Writers: service_role, or an authenticated user
-- whose app_metadata (never user_metadata, which users can edit) says catalog_admin.

create table shared.catalog_versions (
  id uuid primary key default gen_random_uuid(),
  label text not null,
  status text not null default 'staging',
  content jsonb not null,
  content_sha256 text not null,
  notes text,
  created_by uuid default auth.uid(),
  created_at timestamptz not null default now(),
  activated_by uuid,
  activated_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint catalog_versions_label_key unique (label),
  constraint catalog_versions_label_format check (label ~ '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$'),
  constraint catalog_versions_status_check check (status in ('staging', 'active', 'retired')),
  constraint catalog_versions_content_is_object check (jsonb_typeof(content) = 'object'),
  constraint catalog_versions_content_sha256_format check (content_sha256 ~ '^[0-9a-f]{64}$'),
  constraint catalog_versions_active_has_activation check (status <> 'active' or activated_at is not null)
);
comment on table shared.catalog_versions is
  'Catalog versions: the whole catalog document (content) with its SHA-256, lifecycle staging -> active -> retired.';
comment on column shared.catalog_versions.content_sha256 is
  'SHA-256 (64 lowercase hex) of the canonical JSON of content, as the engine computes it.';

-- At most one active version: a constraint, not a convention.
create unique index catalog_versions_one_active on shared.catalog_versions (status)
  where status = 'active';

create trigger catalog_versions_set_updated_at
  before update on shared.catalog_versions
  for each row execute function shared.set_updated_at();

alter table shared.catalog_versions enable row level security;
revoke all on table shared.catalog_versions from public, anon, authenticated, service_role;
grant select, insert, update, delete on table shared.catalog_versions to authenticated;
grant select, insert, update, delete on table shared.catalog_versions to service_role;

create policy catalog_versions_select_authenticated on shared.catalog_versions
  for select to authenticated
  using (true);
create policy catalog_versions_insert_catalog_admin on shared.catalog_versions
  for insert to authenticated
  with check (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'catalog_admin');
create policy catalog_versions_update_catalog_admin on shared.catalog_versions
  for update to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'catalog_admin')
  with check (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'catalog_admin');
create policy catalog_versions_delete_catalog_admin on shared.catalog_versions
  for delete to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'catalog_admin');

-- Items: the queryable projection of a version's document --------------------------------
create table shared.catalog_items (
  id uuid primary key default gen_random_uuid(),
  version_id uuid not null references shared.catalog_versions (id) on delete cascade,
  kind text not null,
  brand text,
  series text,
  model text,
  af integer,
  poles smallint,
  w_mm integer,
  h_mm integer,
  d_mm integer,
  price bigint,
  flags text[] not null default '{}'::text[],
  meta jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint catalog_items_kind_format check (kind ~ '^[a-z][a-z0-9_]*$'),
  constraint catalog_items_af_positive check (af > 0),
  constraint catalog_items_poles_range check (poles between 1 and 4),
  constraint catalog_items_dimensions_positive check (w_mm > 0 and h_mm > 0 and d_mm > 0),
  constraint catalog_items_price_non_negative check (price >= 0),
  constraint catalog_items_flags_format
    check (array_to_string(flags, ',') ~ '^([a-z][a-z0-9_]*(,[a-z][a-z0-9_]*)*)?$'),
  constraint catalog_items_meta_is_object check (jsonb_typeof(meta) = 'object')
);
comment on table shared.catalog_items is
  'Catalog rows of one version (breakers, enclosures, accessories, prices): the queryable projection of catalog_versions.content.';
comment on column shared.catalog_items.price is 'Unit price in KRW (integer won); null when the catalog has none.';
comment on column shared.catalog_items.flags is
  'Provenance flags such as assumed (value chosen by v1 where the source is silent) or example.';

-- Covers the foreign key (version_id first) and the engine's look-ups.
create index catalog_items_version_kind_idx on shared.catalog_items (version_id, kind, brand, model);

create trigger catalog_items_set_updated_at
  before update on shared.catalog_items
  for each row execute function shared.set_updated_at();

alter table shared.catalog_items enable row level security;
revoke all on table shared.catalog_items from public, anon, authenticated, service_role;
grant select, insert, update, delete on table shared.catalog_items to authenticated;
grant select, insert, update, delete on table shared.catalog_items to service_role;

create policy catalog_items_select_authenticated on shared.catalog_items
  for select to authenticated
  using (true);
create policy catalog_items_insert_catalog_admin on shared.catalog_items
  for insert to authenticated
  with check (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'catalog_admin');
create policy catalog_items_update_catalog_admin on shared.catalog_items
  for update to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'catalog_admin')
  with check (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'catalog_admin');
create policy catalog_items_delete_catalog_admin on shared.catalog_items
  for delete to authenticated
  using (((select auth.jwt()) -> 'app_metadata' ->> 'role') = 'catalog_admin');

-- Activation: retire the active version and activate another, in one transaction ------
create function shared.activate_catalog_version(version_id uuid)
returns shared.catalog_versions
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_previous uuid;
  v_row shared.catalog_versions;
begin
  select v.id into v_previous
    from shared.catalog_versions as v
   where v.status = 'active';

  if v_previous is not distinct from activate_catalog_version.version_id then
    select * into strict v_row
      from shared.catalog_versions as v
     where v.id = activate_catalog_version.version_id;
    return v_row;
  end if;

  update shared.catalog_versions as v
     set status = 'retired'
   where v.status = 'active';

  update shared.catalog_versions as v
     set status = 'active',
         activated_at = now(),
         activated_by = auth.uid()
   where v.id = activate_catalog_version.version_id
  returning * into v_row;

  if v_row.id is null then
    raise exception 'catalog version % not found or not writable', activate_catalog_version.version_id
      using errcode = '42501';
  end if;

  insert into shared.audit_logs (actor, action, target, detail)
  values (auth.uid(), 'catalog.activate', 'catalog_version:' || v_row.id::text,
          jsonb_build_object('label', v_row.label, 'content_sha256', v_row.content_sha256,
                             'previous_version_id', v_previous));
  return v_row;
end
$$;
comment on function shared.activate_catalog_version(uuid) is
  'Makes one catalog version active and retires the previous one, atomically; writes an audit entry. Runs with the caller''s rights (RLS decides).';
revoke all on function shared.activate_catalog_version(uuid) from public, anon, authenticated, service_role;
grant execute on function shared.activate_catalog_version(uuid) to authenticated, service_role;
