"""The domain: content model, schema, checks and what the public site shows. Imports neither Pelican nor plugins nor scripts."""
