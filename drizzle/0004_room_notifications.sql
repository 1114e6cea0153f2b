ALTER TABLE "room_members" ADD COLUMN "notify" text DEFAULT 'all' NOT NULL;--> statement-breakpoint
ALTER TABLE "room_members" ADD COLUMN "muted_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "room_members" ADD CONSTRAINT "room_members_notify_check" CHECK ("room_members"."notify" in ('all', 'none'));