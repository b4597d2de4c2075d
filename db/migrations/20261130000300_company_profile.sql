-- The company profile (상호, 대표자, 사업자등록번호, address, contacts, logo, terms, bank
-- account) that heads every quote document: data, read by every signed-in user, changed
-- only by an admin through the functions (which write as service_role and audit it).
--
-- Append-only in practice: each change is a new row, the newest is the current profile, and
-- a quote records the id and hash of the profile it was issued with, so a document
-- rendered again later is identical.

create table shared.company_profiles (
  id uuid primary key default gen_random_uuid(),
  content jsonb not null,
  content_sha256 text not null,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint company_profiles_content_is_object check (jsonb_typeof(content) = 'object'),
  constraint company_profiles_content_sha256_format check (content_sha256 ~ '^[0-9a-f]{64}$')
);
comment on table shared.company_profiles is
  'The panel maker''s company profile, one row per change; the newest is current. Written by the functions (service_role) for admins.';
create index company_profiles_created_at_idx on shared.company_profiles (created_at desc, id desc);
create trigger company_profiles_set_updated_at
  before update on shared.company_profiles
  for each row execute function shared.set_updated_at();

alter table shared.company_profiles enable row level security;
revoke all on table shared.company_profiles from public, anon, authenticated, service_role;
grant select on table shared.company_profiles to authenticated;
grant select, insert on table shared.company_profiles to service_role;
create policy company_profiles_select_signed_in on shared.company_profiles
  for select to authenticated using (true);
