import type { RoleName, StaffLike } from '../domain/roster';
import { canActOnSchool } from '../domain/policy';
import { ownSchools } from '../domain/broadcast';
import { School, type SchoolRow } from '../models/roster';

/**
 * What a dashboard URL shows: `/dashboard/district/…` (the bureau) or `/dashboard/<school>/…`
 * (the bureau, or that school's principal or deputy). `filter` goes into every query (cases,
 * duties, students, reports and visits all carry schoolCode), so counts stay in the database.
 */
export interface WebScope {
  key: string;
  label: string;
  filter: { schoolCode?: string };
  schools: SchoolRow[];
  schoolName(code: string): string;
}

export const DISTRICT = 'district';

/** The roles that may use the dashboard (the bureau, principals and deputies). */
export const DASHBOARD_ROLES: RoleName[] = ['bureau', 'principal', 'deputy'];

/** Who may sign in to the dashboard at all: bureau staff, principals and deputies. */
export function mayUseDashboard(staff: StaffLike): boolean {
  return staff.roles.some(
    (r) =>
      DASHBOARD_ROLES.includes(r.role) &&
      canActOnSchool(staff, 'viewDashboard', r.schoolCode ?? ''),
  );
}

/** Where a signed-in user lands: the district for the bureau, else their (first) school. */
export function homeScope(staff: StaffLike): string {
  if (staff.roles.some((r) => r.role === 'bureau')) return DISTRICT;
  const own = staff.roles.find((r) => r.role === 'principal' || r.role === 'deputy');
  return own?.schoolCode ?? DISTRICT;
}

/** May this user open this scope key? (The district is the bureau's; a school needs the rule.) */
export function mayOpen(staff: StaffLike, key: string): boolean {
  if (key === DISTRICT) return canActOnSchool(staff, 'readDistrict', '');
  return canActOnSchool(staff, 'viewDashboard', key);
}

/** The scope for a key the user may open; undefined when the school does not exist. */
export async function loadScope(key: string): Promise<WebScope | undefined> {
  const all = await School.find(key === DISTRICT ? {} : { code: key })
    .sort({ code: 1 })
    .lean();
  if (!all.length) return undefined;
  const names = new Map(all.map((s) => [s.code, s.name]));
  return {
    key,
    label: key === DISTRICT ? '全区' : all[0].name,
    filter: key === DISTRICT ? {} : { schoolCode: key },
    schools: all,
    schoolName: (code) => names.get(code) ?? code,
  };
}

/** May this user send notices from the dashboard (the bureau, or a principal/deputy)? */
export function mayBroadcast(staff: StaffLike): boolean {
  return (
    canActOnSchool(staff, 'broadcastDistrict', '*') ||
    ownSchools(staff).some((c) => canActOnSchool(staff, 'broadcast', c))
  );
}
