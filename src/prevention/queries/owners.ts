import type { StudentLike } from '../../domain/roster';
import { allOwners, ownersOf, registered } from '../register';

/** The two owners (双包保) of a confirmed at-risk student, else nobody. */
export async function atRiskOwners(student: StudentLike): Promise<string[]> {
  const row = await registered(student.studentNo);
  if (!row || row.status !== 'confirmed') return [];
  return allOwners(await ownersOf(student, row));
}
