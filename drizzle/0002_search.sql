-- Search folds case and accents ("gran" finds "Grândma's"): the simple parser and dictionary
-- behind unaccent, as a configuration of its own, so to_tsvector('family_search', body) is
-- immutable and can be indexed. unaccent is a trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION family_search (COPY = simple);--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION family_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;--> statement-breakpoint
CREATE INDEX messages_search_idx ON messages USING gin (to_tsvector('family_search', body)) WHERE deleted_at IS NULL;
