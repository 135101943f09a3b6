"""Infrastructure every stage shares: run folders, locks, strict JSON, progress, downloads, errors, tables
as files, and how a command ends. Private: the pipeline's stages import it, users meet it only through them."""
