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
