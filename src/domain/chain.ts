import { ROLE_NAMES, type RoleName, type StaffLike, type StudentLike } from './roster';

/**
 * The chain of responsibility (二(一)2(1), 二(三)1(1)): who owns a student at each level.
 * 科任教师 → 班主任 → 中层领导 → 分管领导 → 校长 → 区教体局.
 */
export const LEVELS = ROLE_NAMES;

export type Chain = Record<RoleName, string[]> & {
  /** 双包保 named leader of an at-risk student, if any. */
  atRiskLeader?: string;
  /** Levels with nobody (a class with no head teacher…), for import reports. */
  missing: RoleName[];
};

/** A chain with nobody at any level (a student not on the roster). */
export function emptyChain(): Chain {
  const chain = { missing: [] as RoleName[] } as Chain;
  for (const l of LEVELS) chain[l] = [];
  return chain;
}

export function chainFor(student: StudentLike, staff: StaffLike[]): Chain {
  const chain = emptyChain();
  for (const person of staff) {
    for (const r of person.roles) {
      const add = (level: RoleName) => {
        if (!chain[level].includes(person.userid)) chain[level].push(person.userid);
      };
      switch (r.role) {
        case 'subjectTeacher':
          if (
            r.classId === student.classId &&
            (!r.students?.length || r.students.includes(student.studentNo))
          )
            add('subjectTeacher');
          break;
        case 'headTeacher':
          if (r.classId === student.classId) add('headTeacher');
          break;
        case 'gradeLeader':
          if (r.schoolCode === student.schoolCode && r.grade === student.grade) add('gradeLeader');
          break;
        case 'deputy':
        case 'principal':
          if (r.schoolCode === student.schoolCode) add(r.role);
          break;
        case 'bureau':
          add('bureau');
          break;
      }
    }
  }
  if (student.atRisk && student.atRiskLeader) chain.atRiskLeader = student.atRiskLeader;
  chain.missing = LEVELS.filter((l) => chain[l].length === 0);
  return chain;
}

export interface Responsible {
  userids: string[];
  level: RoleName;
  /** The level asked for, when nobody held it and the duty fell upward. */
  fellBackFrom?: RoleName;
}

/**
 * Who holds `level` for this student; a missing link falls back upward, never to nobody
 * (when even the bureau is empty, the highest level held anywhere in the chain, downwards).
 */
export function responsibleAt(chain: Chain, level: RoleName): Responsible {
  const start = LEVELS.indexOf(level);
  for (let i = start; i < LEVELS.length; i++) {
    const l = LEVELS[i];
    if (chain[l].length)
      return { userids: chain[l], level: l, ...(l !== level ? { fellBackFrom: level } : {}) };
  }
  for (let i = start - 1; i >= 0; i--) {
    const l = LEVELS[i];
    if (chain[l].length) return { userids: chain[l], level: l, fellBackFrom: level };
  }
  return { userids: [], level, fellBackFrom: level };
}

/** The level above (escalation target); bureau stays bureau. */
export function above(level: RoleName): RoleName {
  return LEVELS[Math.min(LEVELS.indexOf(level) + 1, LEVELS.length - 1)];
}
