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

/** The child's first IPC message. */
export function firstMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before answering`)));
  });
}

/** Runs one load job in a fresh generator process. */
export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const gen = forkTs('load.ts');
  const answer = firstMessage<LoadResult>(gen);
  gen.send(job);
  const result = await answer;
  await new Promise((r) => (gen.exitCode !== null ? r(null) : gen.once('exit', r)));
  return result;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
