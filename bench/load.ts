/**
 * The load generator, run in its own process (forked by the benchmarks): autocannon against
 * one URL with a list of requests, cycled per connection. Receives jobs over IPC and answers
 * each with its figures, so its CPU never competes inside the server's process.
 */
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  requests: { method: 'POST' | 'GET'; path: string; body?: string }[];
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  /** Stop after this many requests instead of after `duration`. */
  amount?: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  seconds: number;
}

async function run(job: LoadJob): Promise<LoadResult> {
  const r = await autocannon({
    url: job.url,
    connections: job.connections,
    ...(job.amount ? { amount: job.amount } : { duration: job.duration ?? 5 }),
    timeout: 120,
    requests: job.requests.map((q) => ({
      method: q.method,
      path: q.path,
      body: q.body,
      headers: q.body ? { 'content-type': 'text/xml' } : {},
    })),
  });
  return {
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    seconds: r.duration,
  };
}

// One job per message, answered in order; 'exit' (or the parent going away) ends the process.
process.on('message', (job: LoadJob | 'exit') => {
  if (job === 'exit') process.exit(0);
  run(job).then(
    (result) => process.send!(result),
    (err: Error) => {
      console.error(err);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(0));
