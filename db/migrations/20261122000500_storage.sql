-- Private buckets for evidence and rendered documents (also declared in
-- supabase/config.toml) and the storage.objects policy that lets a user read only the
-- objects under their own quotes. Object names are quote/{quote_id}/...; writes go
-- through service_role (the functions), which bypasses RLS, so users get no write policy.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  ('evidence', 'evidence', false, 10485760, array['application/json', 'image/svg+xml']),
  ('documents', 'documents', false, 52428800, null)
on conflict (id) do update
  set public = excluded.public,
      file_size_limit = excluded.file_size_limit,
      allowed_mime_types = excluded.allowed_mime_types;

create policy estimator_objects_select_quote_owner on storage.objects
  for select to authenticated
  using (
    bucket_id in ('evidence', 'documents')
    and (storage.foldername(name))[1] = 'quote'
    and exists (
      select 1
        from estimator.quotes as q
       where q.owner = (select auth.uid())
         and q.id::text = (storage.foldername(name))[2]
    )
  );
comment on policy estimator_objects_select_quote_owner on storage.objects is
  'KIS Estimator: a user reads objects of the evidence and documents buckets only under quote/{quote_id}/ of their own quotes.';
