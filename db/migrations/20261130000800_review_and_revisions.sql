-- Review and revisions.
--
-- Review: a reviewer (or admin) of the quote's organisation who did not create it decides
-- on a `needs_review` quote: `approve` makes it `approved`, `return` makes it `returned`
-- (back to its estimator, with the reason, to be revised: a returned quote is not in the
-- review queue any more, and its next revision is reviewed again). Every decision is a row
-- of estimator.quote_reviews and an audit entry. `issued`, `rejected`, `approved` and
-- `returned` quotes cannot be reviewed.
--
-- Revisions: the quotes of one quote number are its revisions R0, R1, R2 …
-- (`revision`, `previous_quote_id`; unique (quote_number, revision) and one successor per
-- quote). Only the latest revision can be revised: the successor's insert locks its
-- predecessor (FOR UPDATE), so of concurrent revisions of one quote exactly one commits
-- and the others fail with PT409 (the unique successor index backs this up with 23505);
-- the functions answer 409 for both. A revision takes its predecessor's organisation and
-- quote number. Stored quotes are immutable: only `status` (and `response`, which carries
-- the status shown) may change, and a revised quote is frozen entirely.

alter table estimator.quotes drop constraint quotes_status_check;
alter table estimator.quotes add constraint quotes_status_check
  check (status in ('issued', 'needs_review', 'rejected', 'approved', 'returned'));

alter table estimator.quotes
  add column revision integer not null default 0,
  add column previous_quote_id uuid;
alter table estimator.quotes
  drop constraint quotes_quote_number_key,
  add constraint quotes_quote_number_revision_key unique (quote_number, revision),
  add constraint quotes_previous_quote_fkey foreign key (previous_quote_id)
    references estimator.quotes (id),
  -- one successor per quote: the chain of a quote number never forks
  add constraint quotes_previous_quote_id_key unique (previous_quote_id),
  add constraint quotes_revision_chain check (
    (revision = 0 and previous_quote_id is null) or (revision > 0 and previous_quote_id is not null));
comment on column estimator.quotes.revision is
  'Revision of the quote number: 0 for R0, then 1, 2 … (label R{revision}).';
comment on column estimator.quotes.previous_quote_id is
  'The revision this one revises (null for R0); at most one quote revises a given quote.';

-- New revisions: checked and filled from their predecessor ------------------------------------
-- Fires before quotes_set_organisation (triggers run in name order).
create function estimator.quotes_chain_revision()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_prev estimator.quotes;
begin
  if new.quote_number is not null then
    return new;  -- a restore brings its chain as it was (the unique keys still hold)
  end if;
  if new.previous_quote_id is null then
    if new.revision <> 0 then
      raise exception 'a revision above 0 needs previous_quote_id' using errcode = '22023';
    end if;
    return new;
  end if;
  select q.* into v_prev from estimator.quotes as q where q.id = new.previous_quote_id for update;
  if not found then
    raise exception 'quote % not found', new.previous_quote_id using errcode = 'P0002';
  end if;
  if exists (select 1 from estimator.quotes as q where q.previous_quote_id = v_prev.id) then
    raise exception 'REVISION_CONFLICT: quote % already has a newer revision', v_prev.id
      using errcode = 'PT409';
  end if;
  if new.organisation_id is not null and new.organisation_id <> v_prev.organisation_id then
    raise exception 'a revision stays in its quote''s organisation' using errcode = '22023';
  end if;
  new.organisation_id := v_prev.organisation_id;
  new.revision := v_prev.revision + 1;
  new.quote_number := v_prev.quote_number;
  new.response := new.response || jsonb_build_object(
    'quote_number', v_prev.quote_number, 'revision', new.revision);
  return new;
end
$$;
comment on function estimator.quotes_chain_revision() is
  'Trigger: a new revision must revise the latest one (locked, PT409 otherwise) and takes its organisation, quote number and next revision.';
revoke all on function estimator.quotes_chain_revision() from public, anon, authenticated, service_role;
create trigger quotes_chain_revision
  before insert on estimator.quotes
  for each row execute function estimator.quotes_chain_revision();

-- Immutability ---------------------------------------------------------------------------------
create function estimator.quotes_refuse_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.quote_number is null then
    return new;  -- numbered in its own storing transaction (assign_quote_number)
  end if;
  if exists (select 1 from estimator.quotes as q where q.previous_quote_id = old.id) then
    raise exception 'quote % has a newer revision and cannot change', old.id using errcode = '42501';
  end if;
  if (new.id, new.owner, new.organisation_id, new.idempotency_key, new.request, new.request_sha256,
      new.catalog_version_id, new.catalog_label, new.catalog_sha256, new.subtotal, new.vat,
      new.grand_total, new.evidence_root_sha256, new.issued_at, new.created_at,
      new.quote_number, new.revision, new.previous_quote_id)
     is distinct from
     (old.id, old.owner, old.organisation_id, old.idempotency_key, old.request, old.request_sha256,
      old.catalog_version_id, old.catalog_label, old.catalog_sha256, old.subtotal, old.vat,
      old.grand_total, old.evidence_root_sha256, old.issued_at, old.created_at,
      old.quote_number, old.revision, old.previous_quote_id) then
    raise exception 'a stored quote is immutable (only its status changes); revise it instead'
      using errcode = '42501';
  end if;
  return new;
end
$$;
comment on function estimator.quotes_refuse_change() is
  'Trigger: a stored quote changes only its status (and response); a revised one not at all.';
revoke all on function estimator.quotes_refuse_change() from public, anon, authenticated, service_role;
create trigger quotes_refuse_change
  before update on estimator.quotes
  for each row execute function estimator.quotes_refuse_change();

-- estimator.create_quote: accepts organisation_id and previous_quote_id ------------------------
-- Same signature and result as before; the payload may now also carry
--   "organisation_id":   uuid, the organisation to file the quote under (the owner must be
--                        a member; default: the owner's only or personal organisation)
--   "previous_quote_id": uuid, the quote this one revises (use estimator.create_revision,
--                        which checks the caller's right to revise)
create or replace function estimator.create_quote(payload jsonb)
returns uuid
language plpgsql
volatile
set search_path = ''
as $$
declare
  c_top_keys constant text[] := array[
    'id', 'owner', 'idempotency_key', 'status', 'request', 'request_sha256', 'response',
    'catalog_version_id', 'catalog_label', 'catalog_sha256', 'subtotal', 'vat', 'grand_total',
    'evidence_root_sha256', 'issued_at', 'items', 'panels', 'documents', 'evidence',
    'organisation_id', 'previous_quote_id'];
  c_item_keys constant text[] := array[
    'section', 'item', 'spec', 'unit', 'qty', 'unit_price', 'amount'];
  c_panel_keys constant text[] := array[
    'label', 'enclosure_model', 'enclosure_w_mm', 'enclosure_h_mm', 'enclosure_d_mm',
    'required_w_mm', 'required_h_mm', 'required_d_mm', 'fit_score', 'layout',
    'phase_balance', 'breakers'];
  c_breaker_keys constant text[] := array[
    'row', 'side', 'phase', 'model', 'af', 'at', 'poles', 'load_a', 'role'];
  c_document_keys constant text[] := array[
    'kind', 'storage_path', 'sha256', 'content_type', 'size_bytes'];
  c_evidence_keys constant text[] := array[
    'stage', 'storage_path', 'sha256', 'size_bytes', 'content_type'];
  v_owner uuid;
  v_quote_id uuid;
  v_existing_sha text;
  v_catalog_label text;
  v_catalog_sha text;
  v_bad text;
  v_panel jsonb;
  v_panel_pos bigint;
  v_panel_id uuid;
begin
  if payload is null or jsonb_typeof(payload) <> 'object' then
    raise exception 'create_quote: payload must be a JSON object' using errcode = '22023';
  end if;

  -- Shape: unknown keys anywhere are refused, arrays must be arrays.
  select string_agg(k, ', ' order by k) into v_bad
    from jsonb_object_keys(payload) as k
   where k <> all (c_top_keys);
  if v_bad is not null then
    raise exception 'create_quote: unknown payload keys: %', v_bad using errcode = '22023';
  end if;
  select string_agg(k, ', ' order by k) into v_bad
    from unnest(array['items', 'panels', 'documents', 'evidence']) as k
   where payload ? k and jsonb_typeof(payload -> k) <> 'array';
  if v_bad is not null then
    raise exception 'create_quote: not arrays: %', v_bad using errcode = '22023';
  end if;
  select string_agg(format('%s[%s]', a.name, e.ord - 1), ', ') into v_bad
    from (values ('items', c_item_keys), ('panels', c_panel_keys),
                 ('documents', c_document_keys), ('evidence', c_evidence_keys)) as a(name, allowed)
    cross join lateral jsonb_array_elements(coalesce(payload -> a.name, '[]'::jsonb))
         with ordinality as e(elem, ord)
   where jsonb_typeof(e.elem) <> 'object'
      or exists (select 1 from jsonb_object_keys(e.elem) as k where k <> all (a.allowed));
  if v_bad is not null then
    raise exception 'create_quote: malformed or unknown keys in %', v_bad using errcode = '22023';
  end if;
  select string_agg(format('panels[%s].breakers[%s]', p.ord - 1, b.ord - 1), ', ') into v_bad
    from jsonb_array_elements(coalesce(payload -> 'panels', '[]'::jsonb)) with ordinality as p(elem, ord)
    cross join lateral jsonb_array_elements(
           case when jsonb_typeof(p.elem -> 'breakers') = 'array' then p.elem -> 'breakers'
                else '[]'::jsonb end) with ordinality as b(elem, ord)
   where jsonb_typeof(b.elem) <> 'object'
      or exists (select 1 from jsonb_object_keys(b.elem) as k where k <> all (c_breaker_keys));
  if v_bad is not null then
    raise exception 'create_quote: malformed or unknown keys in %', v_bad using errcode = '22023';
  end if;

  -- Owner: from the token for users; service_role may name one.
  if pg_catalog.pg_has_role(current_user, 'service_role', 'MEMBER') then
    v_owner := coalesce((payload ->> 'owner')::uuid, auth.uid());
  else
    if payload ? 'owner' then
      raise exception 'create_quote: owner is taken from the token, not the payload'
        using errcode = '42501';
    end if;
    v_owner := auth.uid();
  end if;
  if v_owner is null then
    raise exception 'create_quote: no owner (no authenticated user)' using errcode = '42501';
  end if;

  -- The catalog named must be the one stored under that id.
  select v.label, v.content_sha256 into v_catalog_label, v_catalog_sha
    from shared.catalog_versions as v
   where v.id = (payload ->> 'catalog_version_id')::uuid;
  if not found then
    raise exception 'create_quote: unknown catalog version %', payload ->> 'catalog_version_id'
      using errcode = '22023';
  end if;
  if v_catalog_label is distinct from payload ->> 'catalog_label'
     or v_catalog_sha is distinct from payload ->> 'catalog_sha256' then
    raise exception 'create_quote: catalog label/sha256 do not match version %',
      payload ->> 'catalog_version_id' using errcode = '22023';
  end if;

  insert into estimator.quotes as q (
    id, owner, idempotency_key, status, request, request_sha256, response,
    catalog_version_id, catalog_label, catalog_sha256,
    subtotal, vat, grand_total, evidence_root_sha256, issued_at,
    organisation_id, previous_quote_id)
  values (
    coalesce((payload ->> 'id')::uuid, gen_random_uuid()),
    v_owner,
    payload ->> 'idempotency_key',
    payload ->> 'status',
    payload -> 'request',
    payload ->> 'request_sha256',
    coalesce(payload -> 'response', '{}'::jsonb),
    (payload ->> 'catalog_version_id')::uuid,
    payload ->> 'catalog_label',
    payload ->> 'catalog_sha256',
    (payload ->> 'subtotal')::bigint,
    (payload ->> 'vat')::bigint,
    (payload ->> 'grand_total')::bigint,
    payload ->> 'evidence_root_sha256',
    coalesce((payload ->> 'issued_at')::timestamptz, now()),
    (payload ->> 'organisation_id')::uuid,
    (payload ->> 'previous_quote_id')::uuid)
  on conflict (owner, idempotency_key) do nothing
  returning q.id into v_quote_id;

  if v_quote_id is null then
    -- The key was used before: a replay if the request is the same.
    select q.id, q.request_sha256 into v_quote_id, v_existing_sha
      from estimator.quotes as q
     where q.owner = v_owner and q.idempotency_key = payload ->> 'idempotency_key';
    if v_existing_sha = payload ->> 'request_sha256' then
      return v_quote_id;
    end if;
    raise exception 'IDEMPOTENCY_KEY_REUSED: idempotency key % was used with another request',
      payload ->> 'idempotency_key' using errcode = 'PT422';
  end if;

  insert into estimator.quote_items (
    owner, quote_id, position, section, item, spec, unit, qty, unit_price, amount)
  select v_owner, v_quote_id, (e.ord - 1)::integer,
         r.section, r.item, coalesce(r.spec, ''), r.unit, r.qty, r.unit_price, r.amount
    from jsonb_array_elements(coalesce(payload -> 'items', '[]'::jsonb)) with ordinality as e(elem, ord)
    cross join lateral jsonb_to_record(e.elem) as r(
      section text, item text, spec text, unit text, qty numeric, unit_price bigint, amount bigint);

  for v_panel, v_panel_pos in
    select e.elem, e.ord
      from jsonb_array_elements(coalesce(payload -> 'panels', '[]'::jsonb)) with ordinality as e(elem, ord)
  loop
    insert into estimator.panels as p (
      owner, quote_id, position, label, enclosure_model,
      enclosure_w_mm, enclosure_h_mm, enclosure_d_mm,
      required_w_mm, required_h_mm, required_d_mm,
      fit_score, layout, phase_balance)
    select v_owner, v_quote_id, (v_panel_pos - 1)::integer, r.label, r.enclosure_model,
           r.enclosure_w_mm, r.enclosure_h_mm, r.enclosure_d_mm,
           r.required_w_mm, r.required_h_mm, r.required_d_mm,
           r.fit_score, coalesce(r.layout, '{}'::jsonb), coalesce(r.phase_balance, '{}'::jsonb)
      from jsonb_to_record(v_panel) as r(
        label text, enclosure_model text,
        enclosure_w_mm integer, enclosure_h_mm integer, enclosure_d_mm integer,
        required_w_mm integer, required_h_mm integer, required_d_mm integer,
        fit_score numeric, layout jsonb, phase_balance jsonb)
    returning p.id into v_panel_id;

    insert into estimator.breakers (
      owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role)
    select v_owner, v_panel_id, r."row", r.side, r.phase, r.model, r.af, r.at, r.poles,
           coalesce(r.load_a, 0), r.role
      from jsonb_array_elements(coalesce(v_panel -> 'breakers', '[]'::jsonb)) as e(elem)
      cross join lateral jsonb_to_record(e.elem) as r(
        "row" integer, side text, phase text, model text, af integer, at integer,
        poles smallint, load_a numeric, role text);
  end loop;

  insert into estimator.documents (
    owner, quote_id, kind, storage_path, sha256, content_type, size_bytes)
  select v_owner, v_quote_id, r.kind, r.storage_path, r.sha256, r.content_type, r.size_bytes
    from jsonb_array_elements(coalesce(payload -> 'documents', '[]'::jsonb)) as e(elem)
    cross join lateral jsonb_to_record(e.elem) as r(
      kind text, storage_path text, sha256 text, content_type text, size_bytes bigint);

  insert into estimator.evidence_blobs (
    owner, quote_id, stage, storage_path, sha256, size_bytes, content_type)
  select v_owner, v_quote_id, r.stage, r.storage_path, r.sha256, r.size_bytes,
         coalesce(r.content_type, 'application/json')
    from jsonb_array_elements(coalesce(payload -> 'evidence', '[]'::jsonb)) as e(elem)
    cross join lateral jsonb_to_record(e.elem) as r(
      stage text, storage_path text, sha256 text, size_bytes bigint, content_type text);

  insert into shared.audit_logs (actor, action, target, detail)
  values (auth.uid(), 'quote.create', 'quote:' || v_quote_id::text,
          jsonb_build_object('owner', v_owner, 'status', payload ->> 'status',
                             'catalog_label', v_catalog_label,
                             'previous_quote_id', payload ->> 'previous_quote_id'));

  return v_quote_id;
end
$$;
-- estimator.quote_reviews ----------------------------------------------------------------------
create table estimator.quote_reviews (
  id uuid primary key default gen_random_uuid(),
  quote_id uuid not null references estimator.quotes (id) on delete cascade,
  reviewer uuid not null references auth.users (id),
  decision text not null,
  reason text not null default '',
  at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint quote_reviews_decision_check check (decision in ('approve', 'return')),
  constraint quote_reviews_reason_length check (char_length(reason) <= 2000),
  constraint quote_reviews_return_has_reason check (decision <> 'return' or btrim(reason) <> '')
);
comment on table estimator.quote_reviews is
  'Review decisions on quotes: who (reviewer), approve or return, why (reason, required to return), when (at).';
create index quote_reviews_quote_id_idx on estimator.quote_reviews (quote_id, at);
create index quote_reviews_reviewer_idx on estimator.quote_reviews (reviewer);
create trigger quote_reviews_set_updated_at
  before update on estimator.quote_reviews
  for each row execute function shared.set_updated_at();

alter table estimator.quote_reviews enable row level security;
revoke all on table estimator.quote_reviews from public, anon, authenticated, service_role;
grant select on table estimator.quote_reviews to authenticated;
grant select, insert on table estimator.quote_reviews to service_role;
create policy quote_reviews_select_member on estimator.quote_reviews
  for select to authenticated
  using (quote_id in (select q.id from estimator.quotes as q));

-- estimator.review_quote -----------------------------------------------------------------------
-- The caller (auth.uid() of the claims: the functions call it as service_role) reviews a
-- quote. Errors: 42501 no user, not a reviewer/admin of the quote's organisation, or the
-- quote's creator; P0002 no such quote in the caller's organisations (another
-- organisation's quote reads as not there); PT409 the quote is not `needs_review`;
-- 22023 a bad decision or a return without a reason.
create function estimator.review_quote(quote_id uuid, decision text, reason text default '', actor uuid default null)
returns estimator.quote_reviews
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_uid uuid := estimator_private.acting_user(review_quote.actor);
  v_quote estimator.quotes;
  v_status text;
  v_row estimator.quote_reviews;
begin
  select q.* into v_quote from estimator.quotes as q where q.id = review_quote.quote_id for update;
  if not found or not estimator_private.member_has_role(v_uid, v_quote.organisation_id) then
    raise exception 'quote % not found', review_quote.quote_id using errcode = 'P0002';
  end if;
  if review_quote.decision is null or review_quote.decision not in ('approve', 'return') then
    raise exception 'decision must be approve or return' using errcode = '22023';
  end if;
  if review_quote.decision = 'return' and btrim(coalesce(review_quote.reason, '')) = '' then
    raise exception 'a returned quote needs a reason' using errcode = '22023';
  end if;
  if not estimator_private.member_has_role(v_uid, v_quote.organisation_id, 'reviewer') then
    raise exception 'only a reviewer or admin of the organisation reviews its quotes'
      using errcode = '42501';
  end if;
  if v_quote.owner = v_uid then
    raise exception 'the creator of a quote cannot review it' using errcode = '42501';
  end if;
  if v_quote.status <> 'needs_review' then
    raise exception 'NOT_REVIEWABLE: quote % is %, not needs_review', v_quote.id, v_quote.status
      using errcode = 'PT409';
  end if;
  v_status := case review_quote.decision when 'approve' then 'approved' else 'returned' end;
  insert into estimator.quote_reviews as r (quote_id, reviewer, decision, reason)
  values (v_quote.id, v_uid, review_quote.decision, btrim(coalesce(review_quote.reason, '')))
  returning r.* into v_row;
  update estimator.quotes as q
     set status = v_status,
         response = case when q.response ? 'status'
                         then q.response || jsonb_build_object('status', v_status)
                         else q.response end
   where q.id = v_quote.id;
  insert into shared.audit_logs (actor, action, target, detail)
  values (v_uid, 'quote.review', 'quote:' || v_quote.id::text,
          jsonb_build_object('decision', review_quote.decision, 'reason', v_row.reason,
                             'from', v_quote.status, 'to', v_status,
                             'organisation_id', v_quote.organisation_id));
  return v_row;
end
$$;
comment on function estimator.review_quote(uuid, text, text, uuid) is
  'A reviewer/admin of the quote''s organisation (not its creator) approves or returns a needs_review quote; recorded in quote_reviews and audited. service_role only (the functions).';
revoke all on function estimator.review_quote(uuid, text, text, uuid) from public, anon, authenticated, service_role;
grant execute on function estimator.review_quote(uuid, text, text, uuid) to service_role;

-- estimator.create_revision --------------------------------------------------------------------
-- Stores `payload` (create_quote's shape, without organisation_id/previous_quote_id) as the
-- next revision of `quote_id` for the caller. Who may revise: the creator of any revision
-- of the quote number, or a reviewer/admin of its organisation. Errors: P0002 no such
-- quote in the caller's organisations; 42501 not allowed; PT409 not the latest revision
-- (or a concurrent revision won). The same Idempotency-Key and request again returns the
-- revision already stored (a replay).
create function estimator.create_revision(quote_id uuid, payload jsonb, actor uuid default null)
returns uuid
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_uid uuid := estimator_private.acting_user(create_revision.actor);
  v_prev estimator.quotes;
  v_next estimator.quotes;
begin
  if payload is null or jsonb_typeof(payload) <> 'object' then
    raise exception 'create_revision: payload must be a JSON object' using errcode = '22023';
  end if;
  select q.* into v_prev from estimator.quotes as q where q.id = create_revision.quote_id for update;
  if not found or not estimator_private.member_has_role(v_uid, v_prev.organisation_id) then
    raise exception 'quote % not found', create_revision.quote_id using errcode = 'P0002';
  end if;
  if not estimator_private.member_has_role(v_uid, v_prev.organisation_id, 'reviewer')
     and not exists (select 1 from estimator.quotes as q
                      where q.quote_number = v_prev.quote_number and q.owner = v_uid) then
    raise exception 'an estimator revises only the quotes they created' using errcode = '42501';
  end if;
  select q.* into v_next from estimator.quotes as q where q.previous_quote_id = v_prev.id;
  if found then
    if v_next.owner = v_uid and v_next.idempotency_key = payload ->> 'idempotency_key'
       and v_next.request_sha256 = payload ->> 'request_sha256' then
      return v_next.id;  -- a replay of the revision that won
    end if;
    raise exception 'REVISION_CONFLICT: quote % already has a newer revision', v_prev.id
      using errcode = 'PT409';
  end if;
  return estimator.create_quote(
    (payload - 'organisation_id' - 'previous_quote_id' - 'owner')
    || jsonb_build_object('previous_quote_id', v_prev.id, 'owner', v_uid));
end
$$;
comment on function estimator.create_revision(uuid, jsonb, uuid) is
  'Stores the next revision of the latest revision quote_id (same quote number, next R); the creator or a reviewer/admin of its organisation. service_role only (the functions).';
revoke all on function estimator.create_revision(uuid, jsonb, uuid) from public, anon, authenticated, service_role;
grant execute on function estimator.create_revision(uuid, jsonb, uuid) to service_role;
