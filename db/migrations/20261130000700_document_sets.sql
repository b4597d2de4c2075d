-- Rendered quote documents (the Excel 견적서, the PDF, the drawing as SVG and DXF) as sets.
--
-- Documents are rendered lazily, after the quote is answered: POST /estimate stays as fast
-- as the engine, and the first GET /quotes/{id}/documents renders them from what the quote
-- recorded (request, catalog version, issue time, estimator, company profile), uploads
-- them to the private `documents` bucket at quote/{quote_id}/{kind}/{sha256}.{ext} and
-- records them here through estimator.record_documents (service_role only).
--
-- A quote's documents come in numbered sets: set 0 is what create_quote writes with the
-- quote (the stored result JSON, kind 'result'); set 1 is the first rendering (state
-- 'issued'); a later re-render (an approved quote, issue 12) adds set 2, 3, ... and keeps
-- the older sets. Within a set a kind appears once. The same bytes may appear in two sets
-- (an unchanged drawing), so a storage path is no longer unique across sets.
--
-- Company profile history needs no new table: shared.company_profiles is append-only (one
-- row per change, no update or delete grant), and a quote records {id, sha256} of the
-- profile it was issued with; each set records the profile it was rendered with.

alter table estimator.documents
  add column set_no integer not null default 0,
  add column state text not null default 'issued',
  add column filename text,
  add column profile_id uuid references shared.company_profiles (id),
  add column profile_sha256 text;

alter table estimator.documents
  drop constraint documents_owner_quote_kind_key,
  drop constraint documents_storage_path_key,
  add constraint documents_owner_quote_set_kind_key unique (owner, quote_id, set_no, kind),
  add constraint documents_set_no_non_negative check (set_no >= 0),
  add constraint documents_state_format check (state ~ '^[a-z][a-z_]*$'),
  add constraint documents_filename_format
    check (filename is null or filename ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$'),
  add constraint documents_profile_sha256_format
    check (profile_sha256 is null or profile_sha256 ~ '^[0-9a-f]{64}$');

create index documents_profile_id_idx on estimator.documents (profile_id);
create index documents_storage_path_idx on estimator.documents (storage_path);

comment on column estimator.documents.set_no is
  '0: written with the quote (its result JSON); 1, 2, ...: each rendering of the customer documents, older sets kept.';
comment on column estimator.documents.state is
  'The quote state a set shows (issued; approved for an approved re-render).';
comment on column estimator.documents.filename is
  'The file name offered for download (quote.xlsx, quote.pdf, drawing.svg, drawing.dxf).';
comment on column estimator.documents.profile_id is
  'The company profile (shared.company_profiles, append-only) the set was rendered with.';

-- The documents bucket takes what the renderers write (config.toml and
-- ops/supabase/storage_init.sh declare the same list).
update storage.buckets
   set allowed_mime_types = array[
     'application/json', 'application/pdf',
     'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
     'image/svg+xml', 'image/vnd.dxf']
 where id = 'documents';

-- estimator.record_documents ---------------------------------------------------------------
-- Records one set of rendered documents of a quote, idempotently: rows that already exist
-- for (quote, set_no, kind) are kept as they are (on conflict do nothing), so concurrent
-- first renderings of the same quote record one set. Returns how many documents the set
-- holds afterwards. When the server passes the caller's claims (auth.uid() set) the quote
-- must be the caller's; another user's quote or an unknown id raises P0002 (the API
-- answers 404). Over PostgREST the service key carries no user: the functions read the
-- quote with the caller's token (RLS) first.
--
-- documents: [{"kind": text, "filename": text, "storage_path": "quote/{id}/...",
--              "sha256": hex, "content_type": text, "size_bytes": integer}]
-- Executable by service_role only (the functions, after uploading the objects).
create function estimator.record_documents(
  quote_id uuid,
  set_no integer,
  state text,
  profile_id uuid,
  profile_sha256 text,
  documents jsonb
)
returns integer
language plpgsql
volatile
set search_path = ''
as $$
declare
  c_keys constant text[] := array[
    'kind', 'filename', 'storage_path', 'sha256', 'content_type', 'size_bytes'];
  v_owner uuid;
  v_bad text;
  v_added integer;
  v_count integer;
begin
  if documents is null or jsonb_typeof(documents) <> 'array' or jsonb_array_length(documents) = 0 then
    raise exception 'record_documents: documents must be a non-empty array' using errcode = '22023';
  end if;
  if record_documents.set_no is null or record_documents.set_no < 1 then
    raise exception 'record_documents: rendered sets are numbered from 1' using errcode = '22023';
  end if;
  select string_agg(format('documents[%s]', e.ord - 1), ', ') into v_bad
    from jsonb_array_elements(documents) with ordinality as e(elem, ord)
   where jsonb_typeof(e.elem) <> 'object'
      or exists (select 1 from jsonb_object_keys(e.elem) as k where k <> all (c_keys));
  if v_bad is not null then
    raise exception 'record_documents: malformed or unknown keys in %', v_bad using errcode = '22023';
  end if;

  select q.owner into v_owner
    from estimator.quotes as q
   where q.id = record_documents.quote_id
     and ((select auth.uid()) is null or q.owner = (select auth.uid()));
  if v_owner is null then
    raise exception 'record_documents: quote % not found', record_documents.quote_id
      using errcode = 'P0002';
  end if;

  insert into estimator.documents as d (
    owner, quote_id, set_no, state, kind, filename, storage_path, sha256, content_type,
    size_bytes, profile_id, profile_sha256)
  select v_owner, record_documents.quote_id, record_documents.set_no, record_documents.state,
         r.kind, r.filename, r.storage_path, r.sha256, r.content_type, r.size_bytes,
         record_documents.profile_id, record_documents.profile_sha256
    from jsonb_array_elements(documents) as e(elem)
    cross join lateral jsonb_to_record(e.elem) as r(
      kind text, filename text, storage_path text, sha256 text, content_type text,
      size_bytes bigint)
  on conflict on constraint documents_owner_quote_set_kind_key do nothing;
  get diagnostics v_added = row_count;

  if v_added > 0 then
    insert into shared.audit_logs (actor, action, target, detail)
    values (auth.uid(), 'documents.render', 'quote:' || record_documents.quote_id::text,
            jsonb_build_object('set_no', record_documents.set_no, 'state', record_documents.state,
                               'documents', v_added, 'profile_sha256', record_documents.profile_sha256));
  end if;

  select count(*) into v_count
    from estimator.documents as d
   where d.owner = v_owner and d.quote_id = record_documents.quote_id
     and d.set_no = record_documents.set_no;
  return v_count;
end
$$;
comment on function estimator.record_documents(uuid, integer, text, uuid, text, jsonb) is
  'Records a set of rendered documents of the caller''s quote (idempotent per quote, set and kind) and returns the set''s size. service_role only.';
revoke all on function estimator.record_documents(uuid, integer, text, uuid, text, jsonb)
  from public, anon, authenticated, service_role;
grant execute on function estimator.record_documents(uuid, integer, text, uuid, text, jsonb)
  to service_role;
