import path from 'node:path';
import { Student } from '../models/roster';
import type { PiiCipher } from '../lib/pii';
import { importRoster } from './import';

export const DEMO_WORKBOOK = path.join(
  __dirname,
  '..',
  '..',
  'config',
  'demo',
  'demo-district.xlsx',
);

/** Sandbox start-up: load the demo district into an empty database. */
export async function loadDemoDistrict(
  pii: PiiCipher,
  force = false,
): Promise<{ students: number; staff: number } | undefined> {
  if (!force && (await Student.countDocuments({})) > 0) return undefined;
  const outcome = await importRoster(DEMO_WORKBOOK, pii);
  if (outcome.validation.errors.length)
    throw new Error(`demo workbook invalid: ${outcome.validation.errors[0].message}`);
  return {
    students: outcome.validation.data.students.length,
    staff: outcome.validation.data.staff.length,
  };
}
