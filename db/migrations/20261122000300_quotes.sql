-- Quotes and everything that hangs under them.
--
-- Ownership: estimator.quotes.owner is the Supabase user id. Every child table carries
-- the same `owner` column, tied to its parent by a composite foreign key
-- (owner, quote_id) -> quotes (owner, id) (breakers: (owner, panel_id) -> panels), so a
-- child can never belong to another user's quote and RLS is a plain indexed
-- `owner = (select auth.uid())` on every table, with no join per row.
--
-- What authenticated users may do (their own rows only):
--   quotes:        select, insert, update (status only), delete (cascades to children)
--   children:      select, insert; lines, panels, breakers, documents and evidence are
--                  immutable once written (service_role may still correct them)
-- service_role bypasses RLS and has every privilege. anon has none.

create table estimator.quotes (
  id uuid primary key default gen_random_uuid(),
  owner uuid not null references auth.users (id) on delete cascade,
  idempotency_key text not null,
  status text not null,
  request jsonb not null,
  request_sha256 text not null,
  response jsonb not null default '{}'::jsonb,
  catalog_version_id uuid not null references shared.catalog_versions (id),
  catalog_label text not null,
  catalog_sha256 text not null,
  subtotal bigint not null,
  vat bigint not null,
  grand_total bigint not null,
  evidence_root_sha256 text not null,
  issued_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint quotes_owner_idempotency_key_key unique (owner, idempotency_key),
  -- Target of the children's composite foreign keys; also the owner index for RLS.
  constraint quotes_owner_id_key unique (owner, id),
  constraint quotes_status_check check (status in ('issued', 'needs_review', 'rejected')),
  constraint quotes_idempotency_key_length check (char_length(idempotency_key) between 1 and 255),
  constraint quotes_request_is_object check (jsonb_typeof(request) = 'object'),
  constraint quotes_response_is_object check (jsonb_typeof(response) = 'object'),
  constraint quotes_request_sha256_format check (request_sha256 ~ '^[0-9a-f]{64}$'),
  constraint quotes_catalog_sha256_format check (catalog_sha256 ~ '^[0-9a-f]{64}$'),
  constraint quotes_evidence_root_sha256_format check (evidence_root_sha256 ~ '^[0-9a-f]{64}$'),
  constraint quotes_totals_non_negative check (subtotal >= 0 and vat >= 0 and grand_total >= 0)
);
comment on table estimator.quotes is
  'A priced quote for one request: owner (auth user), status, the request and the stored response (idempotent replay), catalog used, totals in KRW, evidence root hash.';
comment on column estimator.quotes.response is 'The response body returned on creation; a replay of the same idempotency key returns it.';
comment on column estimator.quotes.subtotal is 'KRW (integer won), sum of the line amounts.';
comment on column estimator.quotes.vat is 'KRW, 10 % of subtotal rounded half-up.';

create index quotes_catalog_version_id_idx on estimator.quotes (catalog_version_id);

create trigger quotes_set_updated_at
  before update on estimator.quotes
  for each row execute function shared.set_updated_at();

alter table estimator.quotes enable row level security;
revoke all on table estimator.quotes from public, anon, authenticated, service_role;
grant select, insert, delete on table estimator.quotes to authenticated;
grant update (status) on table estimator.quotes to authenticated;
grant select, insert, update, delete on table estimator.quotes to service_role;

create policy quotes_select_owner on estimator.quotes
  for select to authenticated
  using (owner = (select auth.uid()));
create policy quotes_insert_owner on estimator.quotes
  for insert to authenticated
  with check (owner = (select auth.uid()));
create policy quotes_update_owner on estimator.quotes
  for update to authenticated
  using (owner = (select auth.uid()))
  with check (owner = (select auth.uid()));
create policy quotes_delete_owner on estimator.quotes
  for delete to authenticated
  using (owner = (select auth.uid()));

-- Quote lines ----------------------------------------------------------------------------
create table estimator.quote_items (
  id uuid primary key default gen_random_uuid(),
  owner uuid not null,
  quote_id uuid not null,
  position integer not null,
  section text not null,
  item text not null,
  spec text not null default '',
  unit text not null,
  qty numeric(14, 2) not null,
  unit_price bigint not null,
  amount bigint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint quote_items_quote_fkey foreign key (owner, quote_id)
    references estimator.quotes (owner, id) on delete cascade,
  -- Covers the foreign key and orders the lines.
  constraint quote_items_owner_quote_position_key unique (owner, quote_id, position),
  constraint quote_items_position_non_negative check (position >= 0),
  constraint quote_items_section_not_blank check (btrim(section) <> ''),
  constraint quote_items_item_not_blank check (btrim(item) <> ''),
  constraint quote_items_unit_not_blank check (btrim(unit) <> ''),
  constraint quote_items_qty_non_negative check (qty >= 0),
  constraint quote_items_money_non_negative check (unit_price >= 0 and amount >= 0)
);
comment on table estimator.quote_items is
  'Quote lines in document order (position): section, item, spec, unit, qty, unit price and amount in KRW.';

create trigger quote_items_set_updated_at
  before update on estimator.quote_items
  for each row execute function shared.set_updated_at();

alter table estimator.quote_items enable row level security;
revoke all on table estimator.quote_items from public, anon, authenticated, service_role;
grant select, insert on table estimator.quote_items to authenticated;
grant select, insert, update, delete on table estimator.quote_items to service_role;

create policy quote_items_select_owner on estimator.quote_items
  for select to authenticated
  using (owner = (select auth.uid()));
create policy quote_items_insert_owner on estimator.quote_items
  for insert to authenticated
  with check (owner = (select auth.uid()));

-- Panels (one enclosure each) --------------------------------------------------------------
create table estimator.panels (
  id uuid primary key default gen_random_uuid(),
  owner uuid not null,
  quote_id uuid not null,
  position integer not null default 0,
  label text,
  enclosure_model text not null,
  enclosure_w_mm integer not null,
  enclosure_h_mm integer not null,
  enclosure_d_mm integer not null,
  required_w_mm integer not null,
  required_h_mm integer not null,
  required_d_mm integer not null,
  fit_score numeric(6, 4) not null,
  layout jsonb not null default '{}'::jsonb,
  phase_balance jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint panels_quote_fkey foreign key (owner, quote_id)
    references estimator.quotes (owner, id) on delete cascade,
  constraint panels_owner_quote_position_key unique (owner, quote_id, position),
  -- Target of breakers' composite foreign key.
  constraint panels_owner_id_key unique (owner, id),
  constraint panels_position_non_negative check (position >= 0),
  constraint panels_enclosure_positive
    check (enclosure_w_mm > 0 and enclosure_h_mm > 0 and enclosure_d_mm > 0),
  constraint panels_required_positive
    check (required_w_mm > 0 and required_h_mm > 0 and required_d_mm > 0),
  constraint panels_fit_score_range check (fit_score > 0 and fit_score <= 1),
  constraint panels_layout_is_object check (jsonb_typeof(layout) = 'object'),
  constraint panels_phase_balance_is_object check (jsonb_typeof(phase_balance) = 'object')
);
comment on table estimator.panels is
  'The enclosure chosen for a quote (model, W/H/D mm), the requirement it had to meet, fit_score, layout and phase balance as the engine reported them.';

create trigger panels_set_updated_at
  before update on estimator.panels
  for each row execute function shared.set_updated_at();

alter table estimator.panels enable row level security;
revoke all on table estimator.panels from public, anon, authenticated, service_role;
grant select, insert on table estimator.panels to authenticated;
grant select, insert, update, delete on table estimator.panels to service_role;

create policy panels_select_owner on estimator.panels
  for select to authenticated
  using (owner = (select auth.uid()));
create policy panels_insert_owner on estimator.panels
  for insert to authenticated
  with check (owner = (select auth.uid()));

-- Breakers placed in a panel ----------------------------------------------------------------
create table estimator.breakers (
  id uuid primary key default gen_random_uuid(),
  owner uuid not null,
  panel_id uuid not null,
  row_no integer not null,
  side text,
  phase text,
  model text not null,
  af integer not null,
  at integer not null,
  poles smallint not null,
  load_a numeric(8, 2) not null default 0,
  role text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint breakers_panel_fkey foreign key (owner, panel_id)
    references estimator.panels (owner, id) on delete cascade,
  constraint breakers_row_no_non_negative check (row_no >= 0),
  constraint breakers_side_check check (side in ('L', 'R')),
  -- R/S/T under a 3-phase 4-wire main, a pair RS/ST/TR under a 3-phase 3-wire main.
  constraint breakers_phase_check check (phase in ('R', 'S', 'T', 'RS', 'ST', 'TR')),
  -- Only single-phase (2P) branch circuits are assigned a phase.
  constraint breakers_phase_only_2p_branch check (phase is null or (role = 'branch' and poles = 2)),
  constraint breakers_ratings_positive check (af > 0 and at > 0),
  constraint breakers_poles_check check (poles in (2, 3, 4)),
  constraint breakers_load_non_negative check (load_a >= 0),
  constraint breakers_role_check check (role in ('main', 'branch', 'spd'))
);
comment on table estimator.breakers is
  'Breakers as placed: row, side (L/R; null for the main), phase (2P branches), model, frame (af), trip (at), poles, load in A, role main/branch/spd.';

create index breakers_owner_panel_row_idx on estimator.breakers (owner, panel_id, row_no);

create trigger breakers_set_updated_at
  before update on estimator.breakers
  for each row execute function shared.set_updated_at();

alter table estimator.breakers enable row level security;
revoke all on table estimator.breakers from public, anon, authenticated, service_role;
grant select, insert on table estimator.breakers to authenticated;
grant select, insert, update, delete on table estimator.breakers to service_role;

create policy breakers_select_owner on estimator.breakers
  for select to authenticated
  using (owner = (select auth.uid()));
create policy breakers_insert_owner on estimator.breakers
  for insert to authenticated
  with check (owner = (select auth.uid()));

-- Rendered documents (objects in the private `documents` bucket) ----------------------------
create table estimator.documents (
  id uuid primary key default gen_random_uuid(),
  owner uuid not null,
  quote_id uuid not null,
  kind text not null,
  storage_path text not null,
  sha256 text not null,
  content_type text not null,
  size_bytes bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint documents_quote_fkey foreign key (owner, quote_id)
    references estimator.quotes (owner, id) on delete cascade,
  constraint documents_owner_quote_kind_key unique (owner, quote_id, kind),
  constraint documents_storage_path_key unique (storage_path),
  constraint documents_kind_format check (kind ~ '^[a-z][a-z0-9_]*$'),
  -- Objects live under quote/{quote_id}/ so storage policies can tie them to the quote.
  constraint documents_storage_path_under_quote
    check (starts_with(storage_path, 'quote/' || quote_id::text || '/')),
  constraint documents_sha256_format check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint documents_content_type_not_blank check (btrim(content_type) <> ''),
  constraint documents_size_non_negative check (size_bytes >= 0)
);
comment on table estimator.documents is
  'Rendered documents of a quote: kind, object path in the documents bucket (quote/{quote_id}/...), SHA-256, content type.';

create trigger documents_set_updated_at
  before update on estimator.documents
  for each row execute function shared.set_updated_at();

alter table estimator.documents enable row level security;
revoke all on table estimator.documents from public, anon, authenticated, service_role;
grant select, insert on table estimator.documents to authenticated;
grant select, insert, update, delete on table estimator.documents to service_role;

create policy documents_select_owner on estimator.documents
  for select to authenticated
  using (owner = (select auth.uid()));
create policy documents_insert_owner on estimator.documents
  for insert to authenticated
  with check (owner = (select auth.uid()));

-- Evidence blobs (objects in the private `evidence` bucket) ---------------------------------
create table estimator.evidence_blobs (
  id uuid primary key default gen_random_uuid(),
  owner uuid not null,
  quote_id uuid not null,
  stage text not null,
  storage_path text not null,
  sha256 text not null,
  size_bytes bigint not null,
  content_type text not null default 'application/json',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint evidence_blobs_quote_fkey foreign key (owner, quote_id)
    references estimator.quotes (owner, id) on delete cascade,
  -- One blob per quote and stage; covers the foreign key.
  constraint evidence_blobs_owner_quote_stage_key unique (owner, quote_id, stage),
  constraint evidence_blobs_storage_path_key unique (storage_path),
  constraint evidence_blobs_stage_format check (stage ~ '^[a-z][a-z0-9_]*$'),
  constraint evidence_blobs_storage_path_under_quote
    check (starts_with(storage_path, 'quote/' || quote_id::text || '/')),
  constraint evidence_blobs_sha256_format check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint evidence_blobs_size_non_negative check (size_bytes >= 0),
  constraint evidence_blobs_content_type_not_blank check (btrim(content_type) <> '')
);
comment on table estimator.evidence_blobs is
  'Evidence of a quote, one blob per stage: object path in the evidence bucket (quote/{quote_id}/{stage}/{sha256}.json), SHA-256 of its canonical JSON, size.';

create trigger evidence_blobs_set_updated_at
  before update on estimator.evidence_blobs
  for each row execute function shared.set_updated_at();

alter table estimator.evidence_blobs enable row level security;
revoke all on table estimator.evidence_blobs from public, anon, authenticated, service_role;
grant select, insert on table estimator.evidence_blobs to authenticated;
grant select, insert, update, delete on table estimator.evidence_blobs to service_role;

create policy evidence_blobs_select_owner on estimator.evidence_blobs
  for select to authenticated
  using (owner = (select auth.uid()));
create policy evidence_blobs_insert_owner on estimator.evidence_blobs
  for insert to authenticated
  with check (owner = (select auth.uid()));
