-- Search's GIN index takes each message's words as it is inserted, not into a pending list. With
-- the list (fastupdate, the default), the insert that found it over 4 MB merged it into the index
-- while holding the room log's commit: 0.1-0.3 s with every send waiting behind it (on PGlite the
-- whole event loop), the send -> delivery tail at a steady 200 msg/s (README, "Benchmarks").
ALTER INDEX messages_search_idx SET (fastupdate = off);--> statement-breakpoint
-- What an existing database had pending goes into the index now, once.
SELECT gin_clean_pending_list('messages_search_idx'::regclass);
