ALTER TABLE "users" ADD COLUMN "avatar_key" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "avatar_thumb_key" text;--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "avatar_url";