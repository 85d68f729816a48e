import { PiiCipher } from '../lib/pii';
import { importRoster } from '../roster/import';
import { DEMO_WORKBOOK } from '../roster/demo-load';
import type { FakeContacts } from '../wecom/sandbox/fake-api';

/**
 * The sandbox corp's address book: the demo district's staff, read once from the demo workbook
 * (not from the database), so `npm run roster -- check-wecom` against the sandbox finds the
 * staff of any other roster imported into it unknown, as a real corp would. Department 1 is the
 * corp (the bureau's staff), then one department per school.
 */
let cached: Promise<FakeContacts> | undefined;

export function sandboxContacts(): Promise<FakeContacts> {
  cached ??= readContacts().catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function readContacts(): Promise<FakeContacts> {
  const pii = new PiiCipher(PiiCipher.generateKey());
  const { data } = (await importRoster(DEMO_WORKBOOK, pii, { dryRun: true })).validation;
  const departments = [{ id: 1, name: '区教体局', parentid: 0 }];
  const deptOf = new Map<string, number>();
  for (const s of data.schools) {
    deptOf.set(s.code, departments.length + 1);
    departments.push({ id: departments.length + 1, name: s.name, parentid: 1 });
  }
  const members = data.staff.map((p) => {
    const depts = new Set(p.roles.map((r) => (r.schoolCode ? (deptOf.get(r.schoolCode) ?? 1) : 1)));
    return { userid: p.userid, name: p.name, department: [...depts] };
  });
  return { departments, members };
}
