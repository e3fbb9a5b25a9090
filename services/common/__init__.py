"""Service plumbing the five services share (a plugin author never needs it): databases and the
reliability tables, the outbox, reliable event consumption with retries and dead letters, the RPC
entrypoint and its errors, structured logs, period ledgers and fact projections."""
