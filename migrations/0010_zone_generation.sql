-- Zones are read once per change, not every few seconds (issue 14; worker/config/settings-store.ts).
-- Each isolate's config cache used to re-read every zone's GeoJSON from D1 every 5 s: up to 1 MiB a
-- zone, so a deployment with detailed zones shipped megabytes per isolate per reload, and the
-- request that triggered the reload waited for it. The cache now asks only for the zones'
-- fingerprint (count and latest updated_at, which zone writes keep strictly increasing), answered
-- from this index, and re-reads the zones when it changed.
CREATE INDEX zones_updated ON zones(updated_at);
