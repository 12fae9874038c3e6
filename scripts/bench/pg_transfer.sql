-- pgbench: the statements one POST /v1/transfers makes on PostgreSQL, in the round trips cofferd
-- makes them (pgbench pipelines), on the bench's own database and accounts: PostgreSQL's ceiling
-- for cofferd's transfer, with no cofferd, nginx or wrk in the way. The texts are the store's
-- (CofferPostgres); a transfer's Swift-side checks are left out, and each balance moves by the
-- amount without the compare-and-set's expected value, which only cofferd knows.
-- Variables (pgbench -D): a1..a4 the accounts, user the bench user's id.
\set i random(1, 4)
\set step random(1, 3)
\set j ((:i + :step - 1) % 4) + 1
\set amount random(1, 100)
-- The token check of every authenticated request, outside the transaction.
SELECT EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = gen_random_uuid()::text),
       EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = gen_random_uuid()::text AND revoked_at IS NOT NULL),
       u.id, u.email, u.role, u.status, u.created_at
FROM (SELECT 1) AS one LEFT JOIN users u ON u.id = :user;
\startpipeline
BEGIN;
SELECT a.id, a.holder_id, h.user_id, a.type, a.currency, a.balance, a.status, a.created_at, a.metadata, a.last_posted_at, u.plan
FROM accounts a JOIN account_holders h ON h.id = a.holder_id JOIN users u ON u.id = h.user_id
WHERE a.id = ANY(ARRAY[(ARRAY[:a1, :a2, :a3, :a4])[:i], (ARRAY[:a1, :a2, :a3, :a4])[:j]]::text[]) AND a.kind = 'customer'
ORDER BY a.id FOR UPDATE OF a;
\endpipeline
\startpipeline
SELECT (SELECT COALESCE(SUM(total), 0) FROM daily_outflows
        WHERE account_id = (ARRAY[:a1, :a2, :a3, :a4])[:i] AND day = floor(extract(epoch FROM now()) / 86400)::bigint)::bigint,
       (SELECT COALESCE(SUM(amount), 0) FROM holds
        WHERE account_id = (ARRAY[:a1, :a2, :a3, :a4])[:i] AND status = 'pending'
          AND expires_at > (extract(epoch FROM now()) * 1000)::bigint)::bigint;
\endpipeline
\startpipeline
INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, description, created_at, metadata, reverses_id)
VALUES ('pgbench-t-' || gen_random_uuid(), (ARRAY[:a1, :a2, :a3, :a4])[:i], (ARRAY[:a1, :a2, :a3, :a4])[:j], :amount, 'USD', NULL,
        (extract(epoch FROM now()) * 1000)::bigint, NULL, NULL);
INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at, metadata, reverses_id)
VALUES ('pgbench-p-' || gen_random_uuid(), 'pgbench-e', (ARRAY[:a1, :a2, :a3, :a4])[:i], 'transfer_out', -CAST(:amount AS bigint), 'USD', 1, NULL, NULL,
        (extract(epoch FROM now()) * 1000)::bigint, NULL, NULL);
INSERT INTO postings (id, entry_id, account_id, type, amount, currency, balance_after, description, transfer_id, created_at, metadata, reverses_id)
VALUES ('pgbench-p-' || gen_random_uuid(), 'pgbench-e', (ARRAY[:a1, :a2, :a3, :a4])[:j], 'transfer_in', :amount, 'USD', 1, NULL, NULL,
        (extract(epoch FROM now()) * 1000)::bigint, NULL, NULL);
UPDATE accounts SET balance = balance - CAST(:amount AS bigint), posting_count = posting_count + 1,
       last_posted_at = GREATEST(last_posted_at, (extract(epoch FROM now()) * 1000)::bigint)
WHERE id = (ARRAY[:a1, :a2, :a3, :a4])[:i] RETURNING balance;
UPDATE accounts SET balance = balance + CAST(:amount AS bigint), posting_count = posting_count + 1,
       last_posted_at = GREATEST(last_posted_at, (extract(epoch FROM now()) * 1000)::bigint)
WHERE id = (ARRAY[:a1, :a2, :a3, :a4])[:j] RETURNING balance;
\endpipeline
\startpipeline
INSERT INTO daily_outflows (account_id, day, total)
VALUES ((ARRAY[:a1, :a2, :a3, :a4])[:i], floor(extract(epoch FROM now()) / 86400)::bigint, :amount)
ON CONFLICT (account_id, day) DO UPDATE SET total = daily_outflows.total + excluded.total;
INSERT INTO events (id, type, created_at, data, user_id, other_user_id)
VALUES ('pgbench-v-' || gen_random_uuid(), 'transfer.created', (extract(epoch FROM now()) * 1000)::bigint,
        '{"id":"pgbench","amount":1,"currency":"USD","from_account_id":"a","to_account_id":"b"}', :user, NULL);
INSERT INTO audit_events (id, at, actor_id, action, target_type, target_id, outcome, reason, request_id, ip, server_request_id)
VALUES ('pgbench-a-' || gen_random_uuid(), (extract(epoch FROM now()) * 1000)::bigint, :user, 'transfer.create', 'transfer',
        'pgbench', 'success', NULL, 'pgbench', '127.0.0.1', 'pgbench');
COMMIT;
\endpipeline
