/**
 * Prints where a V8 CPU profile (node --cpu-prof) spent its time: self time by function and by
 * package/file. Open the .cpuprofile in Chrome DevTools (Performance) for the whole picture.
 *   npx tsx bench/profile-summary.ts bench/profiles/CPU.….cpuprofile
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return url;
  const src = /\/(src|bench)\/(.+)$/.exec(url);
  return src ? `${src[1]}/${src[2]}` : url || '(native/gc/idle)';
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`);
}

export function summarize(file: string, n = 20): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const us = p.timeDeltas[i] ?? 0;
    if (f.functionName === '(idle)') return;
    total += us;
    const name = `${f.functionName || '(anonymous)'}  ${where(f.url)}:${f.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    pkg.set(where(f.url), (pkg.get(where(f.url)) ?? 0) + us);
  });
  console.log(`\n${path.basename(file)}: ${(total / 1e6).toFixed(1)} s busy (idle excluded)`);
  console.log('self time by package/file:');
  for (const l of top(pkg, total, 12)) console.log(`  ${l}`);
  console.log('self time by function:');
  for (const l of top(fn, total, n)) console.log(`  ${l}`);
}

if (require.main === module) summarize(process.argv[2]);
