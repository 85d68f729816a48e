import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics served at /metrics. One registry per process. */
export const registry = new Registry();
if (!process.env.JEST_WORKER_ID) collectDefaultMetrics({ register: registry });

export const callbacksTotal = new Counter({
  name: 'baoxue_callbacks_total',
  help: 'WeCom callbacks by outcome',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const outboxDepth = new Gauge({
  name: 'baoxue_outbox_depth',
  help: 'Outbox messages by status',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const pushLatency = new Histogram({
  name: 'baoxue_push_latency_seconds',
  help: 'Time from enqueue to delivery of a push',
  buckets: [0.1, 0.5, 1, 2, 5, 15, 60, 300, 1800],
  registers: [registry],
});

export const pushesTotal = new Counter({
  name: 'baoxue_pushes_total',
  help: 'Push attempts by outcome',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const outboxOldestPending = new Gauge({
  name: 'baoxue_outbox_oldest_pending_seconds',
  help: 'Age of the oldest push not yet delivered (0 when none waits)',
  registers: [registry],
});

export const outboxAlerts = new Counter({
  name: 'baoxue_outbox_alerts_total',
  help: 'Administrator alerts raised by the outbox, by kind (lag, failed)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const jobLag = new Gauge({
  name: 'baoxue_jobs_lag_seconds',
  help: 'How long the oldest due keyed job (or a crashed run awaiting its re-run) has waited',
  registers: [registry],
});

export const jobRunsTotal = new Counter({
  name: 'baoxue_job_runs_total',
  help: 'Keyed job runs by outcome (done, recovered = done after a takeover, failed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
