import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WecomCredentials } from './config/env';

/**
 * The running sandbox leaves its embedded database's address and generated data key in
 * .sandbox/ so the CLI tools (`npm run roster`) can reach it. Sandbox mode only; removed on stop.
 */
const FILE = path.join(__dirname, '..', '.sandbox', 'handoff.json');

export interface Handoff {
  mongoUri: string;
  dataKey: string;
  url: string;
  /** The fake WeCom API and the sandbox's generated app credentials (`roster check-wecom`). */
  wecom?: HandoffApp;
}

export interface HandoffApp extends Pick<WecomCredentials, 'corpId' | 'agentId' | 'secret'> {
  apiBase: string;
}

/** What the CLI needs of the sandbox's app (not the callback token or AES key). */
export function handoffApp(apiBase: string, c: Omit<HandoffApp, 'apiBase'>): HandoffApp {
  return { apiBase, corpId: c.corpId, agentId: c.agentId, secret: c.secret };
}

export function writeSandboxHandoff(h: Handoff): void {
  mkdirSync(path.dirname(FILE), { recursive: true });
  writeFileSync(FILE, JSON.stringify(h), { mode: 0o600 });
}

export function readSandboxHandoff(): Handoff | undefined {
  try {
    return JSON.parse(readFileSync(FILE, 'utf8')) as Handoff;
  } catch {
    return undefined;
  }
}

export function clearSandboxHandoff(): void {
  rmSync(FILE, { force: true });
}
