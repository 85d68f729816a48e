import { pinyin } from 'pinyin-pro';
import { writeRoster } from './workbook';
import type { SheetKey } from './sheets';

/**
 * Generates the demo district (config/demo/demo-district.xlsx): a primary and a junior middle
 * school, staff in every role, ~200 invented students (two with the same name in one school).
 * Deterministic (seeded), so the committed workbook can be regenerated exactly:
 *   npx tsx src/roster/demo.ts
 */
import { DEMO_WORKBOOK as DEMO_FILE } from './demo-load';

function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split(
    '',
  );
const GIVEN_BOY = [
  '浩然',
  '子轩',
  '宇航',
  '俊杰',
  '博文',
  '天佑',
  '明轩',
  '梓豪',
  '一鸣',
  '思远',
  '家豪',
  '文博',
  '嘉懿',
  '晨阳',
  '志强',
  '伟',
  '鹏',
  '磊',
  '子墨',
  '承泽',
  '睿',
  '昊天',
  '瑞霖',
  '泽宇',
];
const GIVEN_GIRL = [
  '欣怡',
  '梓涵',
  '诗涵',
  '雨桐',
  '可馨',
  '佳怡',
  '紫萱',
  '思琪',
  '语嫣',
  '若曦',
  '雅静',
  '梦瑶',
  '芷若',
  '婉清',
  '晓琳',
  '静',
  '婷',
  '丽娜',
  '雨萱',
  '一诺',
  '心怡',
  '子涵',
  '欣妍',
  '馨予',
];
const STREETS = [
  '新厂街道',
  '里村街道',
  '周路口街道',
  '新村街道',
  '太白园街道',
  '昌江大道',
  '竟成镇',
];
const ESTATES = [
  '陶瓷小区',
  '珠山花园',
  '瓷都新村',
  '昌南苑',
  '御窑小区',
  '莲花塘小区',
  '人民新村',
];
const SUBJECTS = ['语文', '数学', '英语', '科学', '道德与法治', '物理', '历史'];

export function demoRows(): Partial<Record<SheetKey, string[][]>> {
  const rand = rng(20261128);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const used = new Set<string>();
  const userid = (name: string) => {
    const base = pinyin(name, { toneType: 'none', type: 'array' }).join('');
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}${i}`;
    used.add(id);
    return id;
  };
  const adultName = () =>
    pick(SURNAMES) +
    pick([...GIVEN_BOY, ...GIVEN_GIRL, '建国', '秀英', '桂兰', '国强', '海燕', '建华']);

  const schools = [
    {
      code: 'ZS01',
      name: '珠山区第一小学',
      kind: '小学',
      classes: [
        [1, 1],
        [3, 1],
        [3, 2],
        [5, 1],
      ],
    },
    {
      code: 'ZS02',
      name: '珠山区第二中学',
      kind: '初中',
      classes: [
        [7, 1],
        [7, 2],
        [8, 1],
        [9, 1],
      ],
    },
  ];
  const rows: Partial<Record<SheetKey, string[][]>> = {
    schools: [],
    classes: [],
    staff: [],
    subjects: [],
    students: [],
  };
  const person = (role: string, school: string, grade = '', no = '', name = adultName()) => {
    const id = userid(name);
    rows.staff!.push([id, name, role, school, grade, no]);
    return id;
  };
  // Bureau staff first so their ids are stable and short.
  person('教育局', '', '', '', '程立新');
  person('教育局', '', '', '', '周海燕');
  let studentSeq = 0;
  for (const s of schools) {
    rows.schools!.push([s.code, s.name, s.kind]);
    person('校长', s.code);
    const deputy = person('分管领导', s.code);
    const grades = [...new Set(s.classes.map(([g]) => g))];
    const leaders = new Map(grades.map((g) => [g, person('中层领导', s.code, String(g))]));
    for (const [g, n] of s.classes) {
      rows.classes!.push([s.code, String(g), String(n), '']);
      const head = person('班主任', s.code, String(g), String(n));
      // The head teacher also teaches a subject; two more subject teachers per class.
      rows.subjects!.push([head, s.code, String(g), String(n), pick(SUBJECTS.slice(0, 3)), '']);
      const classStudents: string[] = [];
      const teachers = [0, 1].map(() => person('科任教师', s.code));
      for (let i = 0; i < 25; i++) {
        let boy = rand() < 0.5;
        let name = pick(SURNAMES) + pick(boy ? GIVEN_BOY : GIVEN_GIRL);
        // Two students named 李浩然 in school ZS01 (different classes), one 张欣怡 for homophone demos.
        if (s.code === 'ZS01' && i === 0 && (n === 2 || g === 5)) {
          name = '李浩然';
          boy = true;
        }
        if (s.code === 'ZS01' && g === 3 && n === 1 && i === 1) {
          name = '张欣怡';
          boy = false;
        }
        const surname = name[0];
        const year = 2026 - (g + 6) + (rand() < 0.8 ? 0 : -1);
        const birth = `${year}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
        studentSeq++;
        const no = `G360203${birth.replaceAll('-', '')}${String(studentSeq).padStart(4, '0')}`;
        const phone = `1${pick(['38', '39', '58', '59', '86', '87', '36', '77'])}${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`;
        const father = rand() < 0.6;
        const guardian =
          surname + pick(['建国', '国强', '建华', '志刚', '秀英', '桂兰', '海燕', '丽华']);
        const atRisk = i === 24 || (i === 23 && g >= 7);
        classStudents.push(no);
        rows.students!.push([
          no,
          name,
          boy ? '男' : '女',
          birth,
          s.code,
          String(g),
          String(n),
          '在读',
          guardian,
          father ? '父亲' : '母亲',
          phone,
          '',
          '',
          '',
          `珠山区${pick(STREETS)}${pick(ESTATES)}${1 + Math.floor(rand() * 20)}栋${1 + Math.floor(rand() * 6)}0${1 + Math.floor(rand() * 4)}`,
          atRisk ? '是' : '否',
          atRisk ? (i === 24 ? leaders.get(g)! : deputy) : '',
        ]);
      }
      // The first subject teacher teaches the whole class; the second owns five named students (包学生).
      rows.subjects!.push([
        teachers[0],
        s.code,
        String(g),
        String(n),
        SUBJECTS[g % SUBJECTS.length],
        '',
      ]);
      rows.subjects!.push([
        teachers[1],
        s.code,
        String(g),
        String(n),
        SUBJECTS[(g + 1) % SUBJECTS.length],
        classStudents.slice(0, 5).join('、'),
      ]);
    }
  }
  return rows;
}

if (require.main === module) {
  writeRoster(DEMO_FILE, demoRows()).then(() => console.log(`wrote ${DEMO_FILE}`));
}
