-- A project quote (issue 11) has one drawing per panel: several svg and dxf documents in
-- one set (drawing-MDP.svg, drawing-LP-1.svg, ...). Within a set a document is now unique
-- by (kind, filename) rather than by kind; set 0's result JSON has no file name, so
-- nulls count as equal (one result per set, as before). record_documents is the same
-- function with the new constraint as its conflict target (signature unchanged; members of
-- the quote's organisation may record, as since 20261130000850).

alter table estimator.documents
  drop constraint documents_owner_quote_set_kind_key,
  add constraint documents_owner_quote_set_kind_filename_key
    unique nulls not distinct (owner, quote_id, set_no, kind, filename);
comment on column estimator.documents.filename is
  'The file name offered for download (quote.xlsx, quote.pdf, drawing.svg, drawing.dxf; a project: drawing-<panel>.svg/.dxf per panel).';

create or replace function estimator.record_documents(
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
     and ((select auth.uid()) is null
          or q.organisation_id in (select estimator_private.user_orgs()));
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
  on conflict on constraint documents_owner_quote_set_kind_filename_key do nothing;
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
