import { Staff, School } from '../models/roster';
import { ROLE_LABEL, ROLE_NAMES, type RoleName } from '../domain/roster';
import { describeRole, namesFor } from '../roster/directory';
import { SandboxMessage } from '../wecom/sandbox/fake-api';

/** The demo district's people for the sandbox page, grouped by school and role. */
const ORDER: RoleName[] = [...ROLE_NAMES].reverse();

export interface PersonView {
  userid: string;
  name: string;
  roles: string[];
  unread: number;
}
export interface GroupView {
  school: string;
  role: string;
  people: PersonView[];
}

export async function peopleGroups(): Promise<GroupView[]> {
  const staff = await Staff.find({}).sort({ userid: 1 }).lean();
  const schools = await School.find({}).sort({ code: 1 }).lean();
  const names = await namesFor(staff.flatMap((p) => p.roles));
  const unread = new Map<string, number>();
  for (const m of await SandboxMessage.find({ read: false }).lean())
    unread.set(m.to, (unread.get(m.to) ?? 0) + 1);
  const groups = new Map<string, GroupView>();
  for (const p of staff) {
    const top = [...p.roles].sort((a, b) => ORDER.indexOf(a.role) - ORDER.indexOf(b.role))[0];
    if (!top) continue;
    const school =
      top.role === 'bureau'
        ? '区教体局'
        : (schools.find((s) => s.code === top.schoolCode)?.name ?? top.schoolCode ?? '');
    const key = `${top.role === 'bureau' ? '0' : `1${top.schoolCode}`}|${ORDER.indexOf(top.role)}`;
    const g = groups.get(key) ?? { school, role: ROLE_LABEL[top.role], people: [] };
    g.people.push({
      userid: p.userid,
      name: p.name,
      roles: p.roles.map((r) => describeRole(r, names.classes, names.schools)),
      unread: unread.get(p.userid) ?? 0,
    });
    groups.set(key, g);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
}
