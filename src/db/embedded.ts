import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';

/**
 * Starts the jongodb MongoDB-wire server shipped in an npm package (optional dependency,
 * linux x64 glibc only). Ephemeral: it keeps no data across restarts.
 */
export interface EmbeddedServer {
  uri: string;
  stop(): Promise<void>;
}

function binaryPath(): string {
  let pkg: string;
  try {
    pkg = require.resolve('@jongodb/memory-server-bin-linux-x64-gnu/package.json');
  } catch {
    throw new Error(
      'No MONGODB_URI is set and the embedded database ' +
        '(@jongodb/memory-server-bin-linux-x64-gnu, linux x64 only) ' +
        'is not installed. Set MONGODB_URI to a MongoDB replica set, ' +
        'or run on linux x64 with `npm install`.',
    );
  }
  return path.join(path.dirname(pkg), 'bin', 'jongodb');
}

export async function startEmbedded(): Promise<EmbeddedServer> {
  const child: ChildProcess = spawn(binaryPath(), ['--host=127.0.0.1', '--port=0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('embedded database did not start within 15 s')),
      15000,
    );
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^JONGODB_URI=(\S+)/.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded database exited early (${code})`));
    });
  });
  // Keep draining so a chatty server never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    uri,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
