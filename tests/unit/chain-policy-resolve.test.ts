import { chainFor, responsibleAt, above, LEVELS } from '../../src/domain/chain';
import {
  ACTIONS,
  canActOnStudent,
  canActOnSchool,
  SCHOOL_ACTIONS,
  type Action,
  type SchoolAction,
} from '../../src/domain/policy';
import { resolveStudent, takeStudentToken } from '../../src/domain/resolve';
import type { RoleName, StaffLike } from '../../src/domain/roster';
import { buildStudent } from '../support/factories';

const student = buildStudent({ studentNo: 'G1', classId: 'S1-3-2' });
const staff: StaffLike[] = [
  {
    userid: 'sub',
    name: '科任',
    roles: [{ role: 'subjectTeacher', schoolCode: 'S1', grade: 3, classId: 'S1-3-2' }],
  },
  {
    userid: 'subNamed',
    name: '包学生',
    roles: [
      { role: 'subjectTeacher', schoolCode: 'S1', grade: 3, classId: 'S1-3-2', students: ['G2'] },
    ],
  },
  {
    userid: 'head',
    name: '班主任',
    roles: [{ role: 'headTeacher', schoolCode: 'S1', grade: 3, classId: 'S1-3-2' }],
  },
  {
    userid: 'otherHead',
    name: '别班',
    roles: [{ role: 'headTeacher', schoolCode: 'S1', grade: 3, classId: 'S1-3-1' }],
  },
  { userid: 'grade', name: '年级', roles: [{ role: 'gradeLeader', schoolCode: 'S1', grade: 3 }] },
  {
    userid: 'grade5',
    name: '五年级',
    roles: [{ role: 'gradeLeader', schoolCode: 'S1', grade: 5 }],
  },
  { userid: 'deputy', name: '分管', roles: [{ role: 'deputy', schoolCode: 'S1' }] },
  { userid: 'principal', name: '校长', roles: [{ role: 'principal', schoolCode: 'S1' }] },
  { userid: 'otherPrincipal', name: '别校', roles: [{ role: 'principal', schoolCode: 'S2' }] },
  { userid: 'bureau', name: '局', roles: [{ role: 'bureau' }] },
];

describe('chain of responsibility (二(一)2(1))', () => {
  // Issue #8: keyed by RoleName and checked against LEVELS, so a new rung fails until written.
  const HOLDS: Record<RoleName, string[]> = {
    subjectTeacher: ['sub'], // subNamed owns only G2 (包学生)
    headTeacher: ['head'],
    gradeLeader: ['grade'],
    deputy: ['deputy'],
    principal: ['principal'],
    bureau: ['bureau'],
  };
  const ABOVE: Record<RoleName, RoleName> = {
    subjectTeacher: 'headTeacher',
    headTeacher: 'gradeLeader',
    gradeLeader: 'deputy',
    deputy: 'principal',
    principal: 'bureau',
    bureau: 'bureau',
  };
  it('every level of LEVELS has its expected holder and the level above it', () => {
    expect(Object.keys(HOLDS).sort()).toEqual([...LEVELS].sort());
    expect(Object.keys(ABOVE).sort()).toEqual([...LEVELS].sort());
  });

  it.each(LEVELS)('finds the holder at %s, and only the right ones', (level) => {
    const c = chainFor(student, staff);
    expect(c[level]).toEqual(HOLDS[level]);
    expect(c.missing).toEqual([]);
  });

  it('a named subject teacher (包学生) owns exactly their students', () => {
    expect(chainFor({ ...student, studentNo: 'G2' }, staff).subjectTeacher.sort()).toEqual([
      'sub',
      'subNamed',
    ]);
  });

  it("the at-risk student's named leader (双包保) is part of the chain", () => {
    expect(chainFor({ ...student, atRisk: true, atRiskLeader: 'deputy' }, staff).atRiskLeader).toBe(
      'deputy',
    );
    expect(
      chainFor({ ...student, atRisk: false, atRiskLeader: 'deputy' }, staff).atRiskLeader,
    ).toBeUndefined();
  });

  it.each(LEVELS.filter((l) => l !== 'bureau'))(
    'a missing %s falls back upward, never to nobody',
    (level) => {
      const without = staff.filter((p) => !p.roles.some((r) => r.role === level));
      const c = chainFor(student, without);
      expect(c.missing).toContain(level);
      const r = responsibleAt(c, level);
      expect(r.userids.length).toBeGreaterThan(0);
      expect(r.fellBackFrom).toBe(level);
      expect(LEVELS.indexOf(r.level)).toBeGreaterThan(LEVELS.indexOf(level));
    },
  );

  it('with nobody above, falls back to the highest level held below', () => {
    const c = chainFor(
      student,
      staff.filter((p) => ['head', 'sub'].includes(p.userid)),
    );
    expect(responsibleAt(c, 'principal')).toEqual({
      userids: ['head'],
      level: 'headTeacher',
      fellBackFrom: 'principal',
    });
  });

  it.each(LEVELS)('escalation from %s goes one level up; the bureau is the top', (level) => {
    expect(above(level)).toBe(ABOVE[level]);
  });
});

/**
 * Issue #8: the matrices iterate the exported lists. Each table is keyed by the list's type, so a
 * new action, school action or level fails tsc here until its expectation is written, and the
 * runtime check below fails a key added without its type.
 */
type Person = string;
const WHO_MAY: Record<Action, Person[]> = {
  view: ['sub', 'head', 'grade', 'deputy', 'principal', 'bureau'],
  viewPersonal: ['sub', 'head', 'grade', 'deputy', 'principal'],
  report: ['sub', 'head', 'grade', 'deputy', 'principal'],
  persuade: ['head', 'grade', 'deputy', 'principal'],
  correct: ['grade', 'deputy', 'principal'],
  decide: ['principal'],
  confirmDropout: ['principal'],
  reportGovernment: ['principal'],
  changeEnrollment: ['head', 'grade', 'deputy', 'principal'],
  confirmTransfer: ['deputy', 'principal'],
  followUp: ['bureau'],
  proposeAtRisk: ['head', 'grade', 'deputy', 'principal'],
  confirmAtRisk: ['deputy', 'principal'],
};
/** On school S1 (otherPrincipal heads S2). */
const WHO_MAY_AT_SCHOOL: Record<SchoolAction, Person[]> = {
  submitReport: ['deputy', 'principal'],
  readDistrict: ['bureau'],
  actOnReports: ['bureau'],
  viewDashboard: ['deputy', 'principal', 'bureau'],
  broadcast: ['deputy', 'principal', 'bureau'],
  broadcastDistrict: ['bureau'],
  listOverdue: ['deputy', 'principal', 'bureau'],
  listCases: ['deputy', 'principal', 'bureau'],
  exportReport: ['deputy', 'principal', 'bureau'],
};

describe('policies: every role × every action (issue #8: from ACTIONS / SCHOOL_ACTIONS)', () => {
  it('every exported action has a row, and every row an exported action', () => {
    expect(Object.keys(WHO_MAY).sort()).toEqual([...ACTIONS].sort());
    expect(Object.keys(WHO_MAY_AT_SCHOOL).sort()).toEqual([...SCHOOL_ACTIONS].sort());
  });
  for (const p of staff) {
    for (const a of ACTIONS) {
      const allowed = WHO_MAY[a].includes(p.userid);
      it(`${p.userid} ${allowed ? 'may' : 'may not'} ${a}`, () => {
        expect(canActOnStudent(p, a, student)).toBe(allowed);
      });
    }
    for (const a of SCHOOL_ACTIONS) {
      const allowed = WHO_MAY_AT_SCHOOL[a].includes(p.userid);
      it(`${p.userid} ${allowed ? 'may' : 'may not'} ${a} at S1`, () => {
        expect(canActOnSchool(p, a, 'S1')).toBe(allowed);
      });
    }
  }
});

describe('finding a student by what a teacher typed', () => {
  const scope = [
    { studentNo: 'G360203201501010011', name: '张欣怡' },
    { studentNo: 'G360203201501010012', name: '李浩然' },
    { studentNo: 'G360203201501010013', name: '李浩然' },
    { studentNo: 'G360203201501010014', name: '王五' },
  ];
  it('exact name', () =>
    expect(resolveStudent('王五', scope)).toMatchObject({
      kind: 'one',
      student: { studentNo: 'G360203201501010014' },
    }));
  it('学籍号 (any case)', () =>
    expect(resolveStudent('g360203201501010011', scope)).toMatchObject({
      kind: 'one',
      student: { name: '张欣怡' },
    }));
  it('duplicates → a choice', () =>
    expect(resolveStudent('李浩然', scope)).toMatchObject({ kind: 'many', options: [{}, {}] }));
  it('same-pinyin homophone → suggestion', () =>
    expect(resolveStudent('张心怡', scope)).toEqual({ kind: 'suggest', options: [scope[0]] }));
  it('one character off → suggestion', () =>
    expect(resolveStudent('王六', scope)).toMatchObject({
      kind: 'suggest',
      options: [{ name: '王五' }],
    }));
  it('nothing near → none', () =>
    expect(resolveStudent('赵钱孙', scope)).toEqual({ kind: 'none' }));
  it('out of scope is simply not found', () =>
    expect(resolveStudent('张欣怡', scope.slice(1))).toEqual({ kind: 'none' }));
  it('splits a name typed without a space', () => {
    expect(takeStudentToken('张欣怡上午 发烧', ['张欣怡', '王五'])).toEqual({
      token: '张欣怡',
      tail: '上午 发烧',
    });
    expect(takeStudentToken('王五 全天', ['张欣怡', '王五'])).toEqual({
      token: '王五',
      tail: '全天',
    });
  });
});
