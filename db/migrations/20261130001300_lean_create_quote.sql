-- Issue 15: less database work per stored quote (estimator.create_quote).
--
-- * The quote number is assigned BEFORE the row is inserted (quotes_take_number, the last
--   BEFORE INSERT trigger by name: after quotes_chain_revision, which gives a revision its
--   predecessor's number), so the row and its response jsonb are written once instead of
--   inserted and then rewritten by an AFTER INSERT update. Same numbers, same rules: one
--   counter row per year (Asia/Seoul) serialises the numbering, a rollback gives the number
--   back, a row that arrives numbered (a restore, a revision) keeps its number.
-- * A BEFORE trigger also fires for an insert that `on conflict do nothing` then skips, so
--   create_quote answers a replay (the Idempotency-Key used before) before inserting, and
--   when a concurrent transaction wins the key it gives the number back (it still holds the
--   counter's lock): the numbers of a year stay gap-free.
-- * Panels and breakers are inserted in one statement instead of two per panel.
-- Same signatures and results: no type regeneration needed.

create or replace function estimator.assign_quote_number()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_year integer;
  v_n integer;
begin
  if new.quote_number is not null then
    return new;  -- a restore or a revision brings its number
  end if;
  v_year := extract(year from new.issued_at at time zone 'Asia/Seoul')::integer;
  insert into estimator.quote_number_counters as c (year, last_number)
  values (v_year, 1)
  on conflict (year) do update set last_number = c.last_number + 1
  returning c.last_number into v_n;
  new.quote_number := format('Q-%s-%s', v_year, lpad(v_n::text, 6, '0'));
  new.response := new.response || jsonb_build_object('quote_number', new.quote_number);
  return new;
end;
$$;
comment on function estimator.assign_quote_number() is
  'Trigger (before insert): numbers a new quote (Q-{year}-{n:06}) in its storing transaction.';
revoke all on function estimator.assign_quote_number() from public, anon, authenticated;

drop trigger quotes_assign_number on estimator.quotes;
create trigger quotes_take_number
  before insert on estimator.quotes
  for each row execute function estimator.assign_quote_number();

-- estimator.create_quote: same signature and result ----------------------------------------------
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
  v_issued_at timestamptz;
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

  v_issued_at := coalesce((payload ->> 'issued_at')::timestamptz, now());

  -- A replay (the key used before) is answered before the insert: the insert's numbering
  -- trigger would take a number first.
  select q.id, q.request_sha256 into v_quote_id, v_existing_sha
    from estimator.quotes as q
   where q.owner = v_owner and q.idempotency_key = payload ->> 'idempotency_key';
  if found then
    if v_existing_sha = payload ->> 'request_sha256' then
      return v_quote_id;
    end if;
    raise exception 'IDEMPOTENCY_KEY_REUSED: idempotency key % was used with another request',
      payload ->> 'idempotency_key' using errcode = 'PT422';
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
    v_issued_at,
    (payload ->> 'organisation_id')::uuid,
    (payload ->> 'previous_quote_id')::uuid)
  on conflict (owner, idempotency_key) do nothing
  returning q.id into v_quote_id;

  if v_quote_id is null then
    -- A concurrent transaction stored the key first (this one waited for it on the year's
    -- counter). A new R0 took a number before the conflict showed: give it back. This
    -- transaction holds the counter row's lock since then, so it is still the last one.
    if payload ->> 'previous_quote_id' is null then
      update estimator.quote_number_counters as c
         set last_number = c.last_number - 1
       where c.year = extract(year from v_issued_at at time zone 'Asia/Seoul')::integer
         and c.last_number > 1;
      if not found then  -- the year's first number: the counter row is this transaction's
        delete from estimator.quote_number_counters as c
         where c.year = extract(year from v_issued_at at time zone 'Asia/Seoul')::integer;
      end if;
    end if;
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

  -- Panels and their breakers in one statement (ids drawn first, so breakers name them).
  with p as materialized (
    select gen_random_uuid() as id, e.elem, e.ord
      from jsonb_array_elements(coalesce(payload -> 'panels', '[]'::jsonb)) with ordinality as e(elem, ord)
  ), ins_panels as (
    insert into estimator.panels (
      id, owner, quote_id, position, label, enclosure_model,
      enclosure_w_mm, enclosure_h_mm, enclosure_d_mm,
      required_w_mm, required_h_mm, required_d_mm,
      fit_score, layout, phase_balance)
    select p.id, v_owner, v_quote_id, (p.ord - 1)::integer, r.label, r.enclosure_model,
           r.enclosure_w_mm, r.enclosure_h_mm, r.enclosure_d_mm,
           r.required_w_mm, r.required_h_mm, r.required_d_mm,
           r.fit_score, coalesce(r.layout, '{}'::jsonb), coalesce(r.phase_balance, '{}'::jsonb)
      from p
      cross join lateral jsonb_to_record(p.elem) as r(
        label text, enclosure_model text,
        enclosure_w_mm integer, enclosure_h_mm integer, enclosure_d_mm integer,
        required_w_mm integer, required_h_mm integer, required_d_mm integer,
        fit_score numeric, layout jsonb, phase_balance jsonb)
     order by p.ord
  )
  insert into estimator.breakers (
    owner, panel_id, row_no, side, phase, model, af, at, poles, load_a, role)
  select v_owner, p.id, r."row", r.side, r.phase, r.model, r.af, r.at, r.poles,
         coalesce(r.load_a, 0), r.role
    from p
    cross join lateral jsonb_array_elements(coalesce(p.elem -> 'breakers', '[]'::jsonb))
         with ordinality as b(elem, ord)
    cross join lateral jsonb_to_record(b.elem) as r(
      "row" integer, side text, phase text, model text, af integer, at integer,
      poles smallint, load_a numeric, role text)
   order by p.ord, b.ord;

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
