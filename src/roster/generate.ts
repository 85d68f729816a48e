import { pinyin } from 'pinyin-pro';
import { GRADE_LABEL } from '../domain/roster';
import type { SheetKey } from './sheets';
import {
  adultName,
  BOY_NAMES,
  GIRL_NAMES,
  mobile,
  pick,
  rng,
  studentNo,
  surname,
  type Rand,
} from './people';

/**
 * An invented county for load tests and benchmarks (`npm run roster -- generate`): primary,
 * junior and nine-year schools, classes of 40–50, every link of the chain of responsibility
 * filled, subject teachers, 2–3 % at-risk students with a named leader, one or two guardians.
 * Deterministic for a given seed. Nothing here is a real person.
 */
export interface CountyOptions {
  students: number;
  schools?: number;
  staff?: number;
  seed?: number;
  /** Students generated so far. */
  onProgress?: (done: number, total: number) => void;
}

type Kind = '小学' | '初中' | '九年一贯制';
interface SchoolPlan {
  code: string;
  kind: Kind;
  weight: number;
  town: string;
  /** Students per grade (index = grade). */
  perGrade: number[];
}
export type CountyRows = Required<Record<SheetKey, string[][]>>;

const TOWNS = [
  ...['城关', '东河', '西岭', '南港', '北塘', '青山', '白沙', '石门', '桃源', '龙潭', '黄坪'],
  ...['新田', '柳溪', '杨桥', '高岭', '枫林', '竹园', '梅岭', '湖口', '沙洲', '双溪', '金竹'],
  ...['上坊', '下湾', '清水', '长岭', '峡口', '马鞍', '凤凰', '太平', '永和', '安乐', '兴隆'],
];
const VILLAGES = ['塘边', '上屋', '下屋', '新屋', '坪上', '桥头', '山背', '井头', '岭下', '田心'];
const PRIMARY_SUBJECTS = ['语文', '数学', '英语', '科学', '道德与法治', '音乐', '美术', '体育'];
const JUNIOR_SUBJECTS = ['语文', '数学', '英语', '道德与法治', '历史', '地理', '生物', '体育'];

/** What a class of a grade is taught (英语 from grade 3, 物理 from 8, 化学 in 9). */
export function subjectsOf(grade: number): string[] {
  if (grade <= 6) return PRIMARY_SUBJECTS.filter((s) => s !== '英语' || grade >= 3);
  return [...JUNIOR_SUBJECTS, ...(grade >= 8 ? ['物理'] : []), ...(grade === 9 ? ['化学'] : [])];
}

const gradesOf = (kind: Kind) =>
  kind === '小学' ? [1, 2, 3, 4, 5, 6] : kind === '初中' ? [7, 8, 9] : [1, 2, 3, 4, 5, 6, 7, 8, 9];

/** Splits `total` in proportion to `weights` (largest remainder), so the parts add up. */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const raw = weights.map((w) => (total * w) / sum);
  const out = raw.map(Math.floor);
  const order = raw.map((r, i) => [r - Math.floor(r), i]).sort((a, b) => b[0] - a[0]);
  const left = total - out.reduce((a, b) => a + b, 0);
  for (let k = 0; k < left; k++) out[order[k][1]]++;
  return out;
}

/** 60 % primary, 25 % junior, the rest nine-year; bigger schools in the county town. */
function planSchools(rand: Rand, count: number, students: number): SchoolPlan[] {
  const junior = Math.max(1, Math.round(count * 0.25));
  const nine = Math.max(count >= 3 ? 1 : 0, count - Math.round(count * 0.6) - junior);
  const kinds: Kind[] = Array.from({ length: count }, (_, i) =>
    i < count - junior - nine ? '小学' : i < count - nine ? '初中' : '九年一贯制',
  );
  const schools: SchoolPlan[] = kinds.map((kind, i) => ({
    code: `XZ${String(i + 1).padStart(3, '0')}`,
    kind,
    weight: (i % 8 === 0 ? 3 : 1) * (0.4 + rand() * 1.2),
    town:
      TOWNS[i % TOWNS.length] + (i >= TOWNS.length ? String(Math.floor(i / TOWNS.length) + 1) : ''),
    perGrade: Array(10).fill(0),
  }));
  const perGrade = apportion(students, Array(9).fill(1));
  for (let g = 1; g <= 9; g++) {
    const takers = schools.filter((s) => gradesOf(s.kind).includes(g));
    const parts = apportion(
      perGrade[g - 1],
      takers.map((s) => s.weight),
    );
    takers.forEach((s, i) => (s.perGrade[g] = parts[i]));
  }
  return schools;
}

const schoolName = (s: SchoolPlan) =>
  s.kind === '小学'
    ? `${s.town}${s.code.endsWith('1') ? '中心' : ''}小学`
    : s.kind === '初中'
      ? `${s.town}中学`
      : `${s.town}学校`;

class County {
  readonly rows: CountyRows = { schools: [], classes: [], staff: [], subjects: [], students: [] };
  private readonly used = new Set<string>();
  private readonly seqByBirth = new Map<string, number>();
  private done = 0;
  constructor(
    private readonly rand: Rand,
    private readonly o: CountyOptions,
  ) {}

  userid(name: string): string {
    const base = pinyin(name, { toneType: 'none', type: 'array', v: true }).join('');
    let id = base;
    for (let i = 2; this.used.has(id); i++) id = `${base}${i}`;
    this.used.add(id);
    return id;
  }

  person(role: string, school = '', grade = '', no = ''): string {
    const name = adultName(this.rand, this.rand() < 0.45);
    const id = this.userid(name);
    this.rows.staff.push([id, name, role, school, grade, no]);
    return id;
  }

  /** Classes of ~45 (40–50 where the grade is big enough), their head teachers and leaders. */
  school(s: SchoolPlan, teachers: number): void {
    this.rows.schools.push([s.code, schoolName(s), s.kind]);
    this.person('校长', s.code);
    const deputy = this.person('分管领导', s.code);
    const pool = this.teacherPool(s, teachers);
    for (const g of gradesOf(s.kind)) {
      if (!s.perGrade[g]) continue;
      const leader = this.person('中层领导', s.code, String(g));
      const sizes = apportion(s.perGrade[g], Array(classCount(s.perGrade[g])).fill(1));
      sizes.forEach((size, i) => this.schoolClass(s, g, i + 1, size, [leader, deputy], pool));
    }
  }

  /** Subject teachers of a school, each with one subject, handed out round-robin. */
  teacherPool(s: SchoolPlan, count: number): Map<string, { ids: string[]; next: number }> {
    const subjects = [...new Set(gradesOf(s.kind).flatMap(subjectsOf))];
    const pool = new Map(subjects.map((sub) => [sub, { ids: [] as string[], next: 0 }]));
    for (let i = 0; i < Math.max(count, subjects.length); i++)
      pool.get(subjects[i % subjects.length])!.ids.push(this.person('科任教师', s.code));
    return pool;
  }

  schoolClass(
    s: SchoolPlan,
    g: number,
    no: number,
    size: number,
    leaders: string[],
    pool: Map<string, { ids: string[]; next: number }>,
  ): void {
    const [grade, cls] = [String(g), String(no)];
    this.rows.classes.push([s.code, grade, cls, `${GRADE_LABEL[g]}${no}班`]);
    const head = this.person('班主任', s.code, grade, cls);
    const own = pick(this.rand, ['语文', '数学']);
    this.rows.subjects.push([head, s.code, grade, cls, own, '']);
    const atRisk: string[] = [];
    for (let i = 0; i < size; i++) {
      const no = this.student(s, g, cls, leaders);
      if (no) atRisk.push(no);
    }
    subjectsOf(g)
      .filter((sub) => sub !== own)
      .forEach((sub, k) => {
        const p = pool.get(sub)!;
        const teacher = p.ids[p.next++ % p.ids.length];
        // The first subject teacher of the class also owns its at-risk students (双包保).
        this.rows.subjects.push([teacher, s.code, grade, cls, sub, k ? '' : atRisk.join('、')]);
      });
  }

  /** One student; returns the 学籍号 when the student is at risk. */
  student(s: SchoolPlan, g: number, cls: string, leaders: string[]): string | undefined {
    const r = this.rand;
    const boy = r() < 0.52;
    const family = surname(r);
    const name = family + pick(r, boy ? BOY_NAMES : GIRL_NAMES);
    const year = 2026 - (g + 6) + (r() < 0.8 ? 0 : -1);
    const birth = `${year}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`;
    const seq = (this.seqByBirth.get(birth) ?? 0) + 1;
    this.seqByBirth.set(birth, seq);
    const area = ['360222', '360202', '360203', '360281'][Math.floor(seq / 400)];
    const no = studentNo(area, birth, seq % 400, boy);
    const atRisk = r() < 0.025;
    const village = `${s.town}镇${pick(r, VILLAGES)}村${1 + Math.floor(r() * 12)}组`;
    this.rows.students.push([
      ...[no, name, boy ? '男' : '女', birth, s.code, String(g), cls, '在读'],
      ...guardians(r, family),
      village,
      atRisk ? '是' : '否',
      atRisk ? pick(r, leaders) : '',
    ]);
    if (++this.done % 1000 === 0 || this.done === this.o.students)
      this.o.onProgress?.(this.done, this.o.students);
    return atRisk ? no : undefined;
  }
}

/** Classes of about 45: 40–50 where a grade is big enough, one small class where it is not. */
const classCount = (students: number) =>
  students ? Math.max(1, Math.round(students / 45), Math.ceil(students / 50)) : 0;
const pad = (n: number) => String(n).padStart(2, '0');

/** One or two guardians whose names fit the relation (a 父亲 has a man's name). */
function guardians(r: Rand, family: string): string[] {
  const roll = r();
  const first: [string, string] =
    roll < 0.1
      ? [adultName(r, true, family), '祖父']
      : roll < 0.15
        ? [adultName(r, false), '祖母']
        : roll < 0.7
          ? [adultName(r, true, family), '父亲']
          : [adultName(r, false), '母亲'];
  const out = [first[0], first[1], mobile(r)];
  if (r() < 0.35) {
    const second: [string, string] =
      first[1] === '母亲' ? [adultName(r, true, family), '父亲'] : [adultName(r, false), '母亲'];
    out.push(second[0], second[1], mobile(r));
  } else out.push('', '', '');
  return out;
}

export function generateCounty(o: CountyOptions): CountyRows {
  const rand = rng(o.seed ?? 20261129);
  const schools = planSchools(rand, o.schools ?? 69, o.students);
  const county = new County(rand, o);
  county.person('教育局');
  county.person('教育局');
  const classes = schools.map((s) =>
    gradesOf(s.kind).reduce((n, g) => n + classCount(s.perGrade[g]), 0),
  );
  const allClasses = classes.reduce((a, b) => a + b, 0);
  const grades = schools.reduce((n, s) => n + s.perGrade.filter(Boolean).length, 0);
  const fixed = 2 + 2 * schools.length + grades + allClasses;
  const subjectTeachers = Math.max(0, (o.staff ?? 3800) - fixed);
  const pools = apportion(subjectTeachers, classes);
  schools.forEach((s, i) => county.school(s, pools[i]));
  return county.rows;
}
