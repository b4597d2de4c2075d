"""What the handlers share: settings, auth, errors, trace ids, the Store and BlobStore ports."""
