/** Forking helpers shared by the benchmarks: TypeScript children (tsx), IPC answers. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LoadJob, LoadResult } from './load';

/** Forks a bench/ TypeScript file through tsx; `node` are extra Node flags (e.g. --cpu-prof). */
export function forkTs(file: string, args: string[] = [], node: string[] = []): ChildProcess {
  return fork(path.join(__dirname, file), args, {
    execArgv: ['--import', 'tsx', ...node],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The child's next IPC message. */
export function firstMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`child exited (${code}) before answering`));
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
    child.once('exit', onExit);
  });
}

/** Runs one load job in a fresh generator process. */
export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const gen = new LoadGenerator();
  try {
    return await gen.run(job);
  } finally {
    await gen.close();
  }
}

/** One generator process for many jobs (saves a process start per job). */
export class LoadGenerator {
  private readonly child = forkTs('load.ts');

  async run(job: LoadJob): Promise<LoadResult> {
    const answer = firstMessage<LoadResult>(this.child);
    this.child.send(job);
    return answer;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      if (this.child.exitCode !== null) return r();
      this.child.once('exit', () => r());
      this.child.send('exit');
    });
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
