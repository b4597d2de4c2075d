-- The documents bucket accepts only what the product writes there (quote documents as
-- JSON or PDF), like the evidence bucket; config.toml and ops/supabase/storage_init.sh
-- declare the same settings.
update storage.buckets
   set allowed_mime_types = array['application/json', 'application/pdf']
 where id = 'documents';
