-- API keys: a fourth role, and the table closed to the app role. Operators run the service (every
-- tenant's keys, the queues); a tenant's admin manages only its own tenant's keys and never an
-- operator key. The API reads and writes keys only through the functions below, which check the
-- calling key's own secret hash first: the app role cannot read hashes, list other tenants' keys
-- or mint an operator key, even with SQL of its own choosing.
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('read', 'submit', 'admin', 'operator'));--> statement-breakpoint
REVOKE ALL ON api_keys FROM frontline_app;--> statement-breakpoint
-- No policy: row-level security denies every row to any non-owner granted the table by mistake.
-- Not FORCEd, so the owner (migrations, tests, the stack's first key, these functions) still reads it.
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE FUNCTION frontline_verify_api_key(key_id text, key_secret_hash text)
  RETURNS TABLE (tenant_id text, role text, name text, created_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT k.tenant_id, k.role, k.name, k.created_at FROM api_keys k
    WHERE k.id = key_id AND k.secret_hash = key_secret_hash AND k.revoked_at IS NULL
  $$;--> statement-breakpoint
CREATE FUNCTION frontline_create_api_key(
  caller_id text, caller_secret_hash text,
  key_id text, key_tenant text, key_role text, key_name text, key_secret_hash text)
  RETURNS timestamptz
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  caller record;
  created timestamptz;
BEGIN
  SELECT k.tenant_id, k.role INTO caller FROM api_keys k
  WHERE k.id = caller_id AND k.secret_hash = caller_secret_hash AND k.revoked_at IS NULL;
  IF NOT FOUND OR caller.role NOT IN ('admin', 'operator')
     OR (caller.role = 'admin' AND (key_tenant <> caller.tenant_id OR key_role = 'operator')) THEN
    RAISE EXCEPTION 'this API key may not create a % key for tenant %', key_role, key_tenant
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO api_keys (id, tenant_id, role, name, secret_hash)
  VALUES (key_id, key_tenant, key_role, key_name, key_secret_hash)
  RETURNING api_keys.created_at INTO created;
  RETURN created;
END
$$;--> statement-breakpoint
CREATE FUNCTION frontline_list_api_keys(caller_id text, caller_secret_hash text)
  RETURNS TABLE (id text, tenant_id text, role text, name text, created_at timestamptz, revoked_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT k.id, k.tenant_id, k.role, k.name, k.created_at, k.revoked_at
    FROM api_keys k, api_keys c
    WHERE c.id = caller_id AND c.secret_hash = caller_secret_hash AND c.revoked_at IS NULL
      AND (c.role = 'operator' OR (c.role = 'admin' AND k.tenant_id = c.tenant_id))
    ORDER BY k.created_at, k.id
  $$;--> statement-breakpoint
CREATE FUNCTION frontline_revoke_api_key(caller_id text, caller_secret_hash text, key_id text)
  RETURNS boolean
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    WITH c AS (
      SELECT tenant_id, role FROM api_keys
      WHERE id = caller_id AND secret_hash = caller_secret_hash AND revoked_at IS NULL
    ), revoked AS (
      UPDATE api_keys k SET revoked_at = now() FROM c
      WHERE k.id = key_id AND k.revoked_at IS NULL
        AND (c.role = 'operator' OR (c.role = 'admin' AND k.tenant_id = c.tenant_id AND k.role <> 'operator'))
      RETURNING k.id
    )
    SELECT count(*) > 0 FROM revoked
  $$;--> statement-breakpoint
REVOKE ALL ON FUNCTION frontline_verify_api_key(text, text) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION frontline_create_api_key(text, text, text, text, text, text, text) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION frontline_list_api_keys(text, text) FROM PUBLIC;--> statement-breakpoint
REVOKE ALL ON FUNCTION frontline_revoke_api_key(text, text, text) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION frontline_verify_api_key(text, text) TO frontline_app;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION frontline_create_api_key(text, text, text, text, text, text, text) TO frontline_app;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION frontline_list_api_keys(text, text) TO frontline_app;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION frontline_revoke_api_key(text, text, text) TO frontline_app;
