-- SQL functions over quotes. All run with the caller's rights (SECURITY INVOKER), so
-- RLS applies to them exactly as to direct queries: a user sees and writes only their
-- own quotes through them, and another user's quote id reads as "not there".

-- estimator.validate_evidence_integrity ---------------------------------------------------
-- True when the quote has evidence for the stage and its stored SHA-256 equals the given
-- one (a re-hash of the downloaded blob). False otherwise, including when the quote is
-- not visible to the caller.
create function estimator.validate_evidence_integrity(quote_id uuid, stage text, sha256 text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
    select 1
      from estimator.quotes as q
      join estimator.evidence_blobs as e
        on e.owner = q.owner and e.quote_id = q.id
     where q.id = validate_evidence_integrity.quote_id
       and e.stage = validate_evidence_integrity.stage
       and e.sha256 = validate_evidence_integrity.sha256
  )
$$;
comment on function estimator.validate_evidence_integrity(uuid, text, text) is
  'True when the stored evidence of (quote_id, stage) has exactly this SHA-256 (64 lowercase hex); false if it differs, is missing or the quote is not visible.';
revoke all on function estimator.validate_evidence_integrity(uuid, text, text)
  from public, anon, authenticated, service_role;
grant execute on function estimator.validate_evidence_integrity(uuid, text, text)
  to authenticated, service_role;

-- estimator.calculate_quote_totals ---------------------------------------------------------
-- Totals recomputed from the stored lines: subtotal = sum of amounts, VAT = 10 % of the
-- subtotal rounded half-up to 1 won, grand total = subtotal + VAT. No row when the quote
-- is not visible to the caller.
create function estimator.calculate_quote_totals(quote_id uuid)
returns table (subtotal bigint, vat bigint, grand_total bigint)
language sql
stable
set search_path = ''
as $$
  with s as (
    select coalesce(sum(i.amount), 0)::bigint as subtotal
      from estimator.quotes as q
      left join estimator.quote_items as i
        on i.owner = q.owner and i.quote_id = q.id
     where q.id = calculate_quote_totals.quote_id
     group by q.id
  ),
  v as (
    select s.subtotal, floor(s.subtotal::numeric / 10 + 0.5)::bigint as vat
      from s
  )
  select v.subtotal, v.vat, v.subtotal + v.vat
    from v
$$;
comment on function estimator.calculate_quote_totals(uuid) is
  'Subtotal (sum of line amounts), VAT (10 %, half-up to 1 won) and grand total of a quote, in KRW.';
revoke all on function estimator.calculate_quote_totals(uuid)
  from public, anon, authenticated, service_role;
grant execute on function estimator.calculate_quote_totals(uuid) to authenticated, service_role;

-- estimator.get_phase_balance -------------------------------------------------------------
-- Phase balance of a panel computed from its breaker rows (RULES.md section 3):
--   * the system follows the main's poles: 4P = 3-phase 4-wire (groups R, S, T),
--     3P = 3-phase 3-wire (groups RS, ST, TR), 2P = single-phase (nothing to balance);
--     without a main row, pair phases mean 3-wire, otherwise 4-wire;
--   * a 2P branch adds its load_a to its phase (or pair); the main and SPD carry no load;
--   * 4-wire: a 3P/4P branch adds its load_a to each of R, S and T;
--     imbalance = (max - min) / (sum of the three phases / 3);
--   * 3-wire: imbalance = (max - min) / ((sum of pair totals + sqrt(3) * sum of 3P/4P
--     load_a) / 3);
--   * imbalance is a fraction (0.03 = 3 %), 0 when the panel carries no load; balanced
--     when it is at most `target` (default 0.03, the KIS target).
-- Returns one row per group (R, S, T or RS, ST, TR) with the panel-wide imbalance and
-- balanced flag repeated; a single-phase panel returns one row (phase null, imbalance
-- and balanced null: not applicable). No rows when the panel is not visible.
create function estimator.get_phase_balance(panel_id uuid, target numeric default 0.03)
returns table (system text, phase text, load_a numeric, imbalance numeric, balanced boolean)
language plpgsql
stable
set search_path = ''
as $$
declare
  v_owner uuid;
  v_main_poles smallint;
  v_has_pairs boolean;
  v_system text;
  v_groups text[];
  v_totals numeric[];
  v_three_phase numeric;
  v_single numeric;
  v_total numeric;
  v_imbalance numeric;
begin
  select p.owner into v_owner
    from estimator.panels as p
   where p.id = get_phase_balance.panel_id;
  if not found then
    return;
  end if;

  select max(b.poles) filter (where b.role = 'main'),
         coalesce(bool_or(b.phase in ('RS', 'ST', 'TR')), false),
         coalesce(sum(b.load_a) filter (where b.role = 'branch' and b.poles in (3, 4)), 0),
         coalesce(sum(b.load_a) filter (where b.role = 'branch' and b.poles = 2), 0)
    into v_main_poles, v_has_pairs, v_three_phase, v_single
    from estimator.breakers as b
   where b.owner = v_owner and b.panel_id = get_phase_balance.panel_id;

  v_system := case
    when v_main_poles = 2 then '1P2W'
    when v_main_poles = 3 or (v_main_poles is null and v_has_pairs) then '3P3W'
    else '3P4W'
  end;

  if v_system = '1P2W' then
    system := v_system;
    phase := null;
    load_a := v_single + v_three_phase;
    imbalance := null;
    balanced := null;
    return next;
    return;
  end if;

  v_groups := case when v_system = '3P3W' then array['RS', 'ST', 'TR'] else array['R', 'S', 'T'] end;

  select array_agg(
           coalesce((select sum(b.load_a)
                       from estimator.breakers as b
                      where b.owner = v_owner
                        and b.panel_id = get_phase_balance.panel_id
                        and b.role = 'branch'
                        and b.poles = 2
                        and b.phase = g.name), 0)
           + case when v_system = '3P4W' then v_three_phase else 0 end
           order by g.ord)
    into v_totals
    from unnest(v_groups) with ordinality as g(name, ord);

  -- (max - min) / (total / 3), written as 3 (max - min) / total to keep it exact.
  if v_system = '3P4W' then
    v_total := v_totals[1] + v_totals[2] + v_totals[3];
  else
    v_total := v_totals[1] + v_totals[2] + v_totals[3] + sqrt(3::numeric) * v_three_phase;
  end if;

  if v_total = 0 then
    v_imbalance := 0;
  else
    v_imbalance := 3 * (greatest(v_totals[1], v_totals[2], v_totals[3])
                        - least(v_totals[1], v_totals[2], v_totals[3])) / v_total;
  end if;

  for i in 1 .. 3 loop
    system := v_system;
    phase := v_groups[i];
    load_a := v_totals[i];
    imbalance := v_imbalance;
    balanced := v_imbalance <= coalesce(get_phase_balance.target, 0.03);
    return next;
  end loop;
end
$$;
comment on function estimator.get_phase_balance(uuid, numeric) is
  'Per-phase (or per-pair) load in A of a panel from its breakers, the KEC imbalance (max - min) / mean as a fraction, and whether it is within target (default 3 %).';
revoke all on function estimator.get_phase_balance(uuid, numeric)
  from public, anon, authenticated, service_role;
grant execute on function estimator.get_phase_balance(uuid, numeric) to authenticated, service_role;

-- estimator.create_quote -------------------------------------------------------------------
-- Writes one quote with all its lines, panels, breakers, documents and evidence rows in
-- one statement: all or nothing (any bad row raises, and nothing is stored). Returns the
-- quote id. Runs with the caller's rights, so RLS and grants apply to every row.
--
-- Owner: for `authenticated` the owner is auth.uid() (the verified token's subject) and
-- a payload that names an owner is refused (42501). service_role (and the database
-- owner) may pass "owner"; without it, auth.uid() is used.
--
-- Idempotency: (owner, idempotency_key) is unique. The same key with the same
-- request_sha256 returns the stored quote's id and writes nothing (read its `response`
-- for the replay); the same key with another request_sha256 raises SQLSTATE PT422
-- (IDEMPOTENCY_KEY_REUSED; PostgREST answers 422).
--
-- Errors: a payload of the wrong shape (not an object, unknown keys, a catalog that
-- does not match) raises 22023; constraint violations keep their SQLSTATE (23xxx);
-- a value of the wrong type 22P02.
--
-- Payload (JSON object; every key not listed is refused; money is integer KRW):
-- {
--   "id":                   uuid, optional (default: generated). The caller usually
--                           generates it first: objects are uploaded to
--                           quote/{id}/... before the rows are written.
--   "owner":                uuid, service_role only
--   "idempotency_key":      text, 1..255 chars
--   "status":               "issued" | "needs_review" | "rejected"
--   "request":              object, the validated request
--   "request_sha256":       64 lowercase hex
--   "response":             object, the response body to replay (default {})
--   "catalog_version_id":   uuid of shared.catalog_versions
--   "catalog_label":        text, must equal that version's label
--   "catalog_sha256":       64 lowercase hex, must equal that version's content_sha256
--   "subtotal", "vat", "grand_total": integer KRW
--   "evidence_root_sha256": 64 lowercase hex
--   "issued_at":            timestamptz, optional (default now())
--   "items": [              quote lines in document order (position = array index)
--     {"section": text, "item": text, "spec": text (optional), "unit": text,
--      "qty": number, "unit_price": integer, "amount": integer}
--   ],
--   "panels": [             position = array index
--     {"label": text (optional), "enclosure_model": text,
--      "enclosure_w_mm", "enclosure_h_mm", "enclosure_d_mm": integer,
--      "required_w_mm", "required_h_mm", "required_d_mm": integer,
--      "fit_score": number in (0, 1], "layout": object, "phase_balance": object,
--      "breakers": [
--        {"row": integer >= 0, "side": "L" | "R" | null,
--         "phase": "R" | "S" | "T" | "RS" | "ST" | "TR" | null (2P branches only),
--         "model": text, "af": integer, "at": integer, "poles": 2 | 3 | 4,
--         "load_a": number >= 0 (default 0), "role": "main" | "branch" | "spd"}
--      ]}
--   ],
--   "documents": [
--     {"kind": text, "storage_path": "quote/{id}/...", "sha256": hex,
--      "content_type": text, "size_bytes": integer (optional)}
--   ],
--   "evidence": [           one per stage
--     {"stage": text, "storage_path": "quote/{id}/{stage}/{sha256}.json", "sha256": hex,
--      "size_bytes": integer, "content_type": text (optional, default application/json)}
--   ]
-- }
create function estimator.create_quote(payload jsonb)
returns uuid
language plpgsql
volatile
set search_path = ''
as $$
declare
  c_top_keys constant text[] := array[
    'id', 'owner', 'idempotency_key', 'status', 'request', 'request_sha256', 'response',
    'catalog_version_id', 'catalog_label', 'catalog_sha256', 'subtotal', 'vat', 'grand_total',
    'evidence_root_sha256', 'issued_at', 'items', 'panels', 'documents', 'evidence'];
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
    subtotal, vat, grand_total, evidence_root_sha256, issued_at)
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
    coalesce((payload ->> 'issued_at')::timestamptz, now()))
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
                             'catalog_label', v_catalog_label));

  return v_quote_id;
end
$$;
comment on function estimator.create_quote(jsonb) is
  'Stores a quote with its items, panels, breakers, documents and evidence atomically and returns its id; idempotent per (owner, idempotency_key). Payload shape: see the migration that defines it.';
revoke all on function estimator.create_quote(jsonb) from public, anon, authenticated, service_role;
grant execute on function estimator.create_quote(jsonb) to authenticated, service_role;

-- shared.health_check_detailed -------------------------------------------------------------
-- What an operator (or the functions' health endpoint, as service_role) needs to know:
-- the schemas exist, RLS is on for every table, an active catalog exists, the private
-- buckets exist. status is "ok" when all hold, "degraded" otherwise.
create function shared.health_check_detailed()
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_missing_schemas text[];
  v_rls_off text[];
  v_catalog jsonb;
  v_buckets jsonb;
  v_buckets_ok boolean;
  v_ok boolean;
begin
  select coalesce(array_agg(s.name order by s.name), '{}') into v_missing_schemas
    from unnest(array['estimator', 'shared']) as s(name)
   where not exists (select 1 from pg_catalog.pg_namespace as n where n.nspname = s.name);

  select coalesce(array_agg(format('%s.%s', n.nspname, c.relname) order by n.nspname, c.relname), '{}')
    into v_rls_off
    from pg_catalog.pg_class as c
    join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
   where n.nspname in ('estimator', 'shared')
     and c.relkind in ('r', 'p')
     and not c.relrowsecurity;

  select jsonb_build_object('id', v.id, 'label', v.label, 'content_sha256', v.content_sha256,
                            'activated_at', v.activated_at)
    into v_catalog
    from shared.catalog_versions as v
   where v.status = 'active';

  select coalesce(jsonb_object_agg(b.id, jsonb_build_object('public', coalesce(b.public, false))), '{}'::jsonb),
         count(*) filter (where b.id in ('evidence', 'documents') and not coalesce(b.public, false)) = 2
    into v_buckets, v_buckets_ok
    from storage.buckets as b
   where b.id in ('evidence', 'documents');

  v_ok := cardinality(v_missing_schemas) = 0
          and cardinality(v_rls_off) = 0
          and v_catalog is not null
          and v_buckets_ok;

  return jsonb_build_object(
    'status', case when v_ok then 'ok' else 'degraded' end,
    'checked_at', now(),
    'server_version', current_setting('server_version'),
    'database', current_database(),
    'checks', jsonb_build_object(
      'schemas', jsonb_build_object('ok', cardinality(v_missing_schemas) = 0,
                                    'missing', to_jsonb(v_missing_schemas)),
      'rls', jsonb_build_object('ok', cardinality(v_rls_off) = 0,
                                'tables_without_rls', to_jsonb(v_rls_off)),
      'active_catalog', jsonb_build_object('ok', v_catalog is not null, 'version', v_catalog),
      'buckets', jsonb_build_object('ok', v_buckets_ok, 'found', v_buckets)));
end
$$;
comment on function shared.health_check_detailed() is
  'Operator health report as JSON: schemas, RLS on every table, active catalog, private buckets; status ok/degraded.';
revoke all on function shared.health_check_detailed() from public, anon, authenticated, service_role;
grant execute on function shared.health_check_detailed() to service_role;
