-- Postgres ends a session of the app that sits idle inside a transaction for a minute, rolling it back.
-- A worker cut off from the network mid-write sends no FIN: without this its session would keep the
-- chunk's row lock and its points' advisory locks until TCP keepalive gave up on it (two hours by
-- default), and every worker retrying that chunk or writing those points would wait as long. The
-- app's transactions send their statements back to back; an export's cursor, which waits on its
-- client between batches, sets its own limit (outcome-export.ts). A role setting binds every session
-- of the role, whatever pool or pooler it comes through. Tune it per deployment with
-- ALTER ROLE frontline_app SET idle_in_transaction_session_timeout = '…' (README "Database roles").
ALTER ROLE frontline_app SET idle_in_transaction_session_timeout = '60s';
