import type { EnrollmentStatus } from '../domain/roster';

/**
 * The roster workbook: one sheet per kind of row, Chinese headers, one example row each in
 * the template. The same columns are used for import, export and CSV (one file per sheet).
 */
export const SHEETS = {
  schools: {
    title: '学校',
    columns: ['学校代码', '学校名称', '学段'],
    example: ['ZS01', '珠山区第一小学', '小学'],
  },
  classes: {
    title: '班级',
    columns: ['学校代码', '年级', '班号', '班级名称'],
    example: ['ZS01', '3', '2', '三年级2班'],
  },
  staff: {
    title: '教职工',
    columns: ['企业微信账号', '姓名', '角色', '学校代码', '年级', '班号'],
    example: ['wangfang', '王芳', '班主任', 'ZS01', '3', '2'],
  },
  subjects: {
    title: '任课',
    columns: ['企业微信账号', '学校代码', '年级', '班号', '科目', '包保学生学籍号'],
    example: ['wangfang', 'ZS01', '3', '2', '数学', 'G360203201501010011'],
  },
  students: {
    title: '学生',
    columns: [
      '学籍号',
      '姓名',
      '性别',
      '出生日期',
      '学校代码',
      '年级',
      '班号',
      '学籍状态',
      '监护人姓名',
      '监护人关系',
      '监护人电话',
      '监护人2姓名',
      '监护人2关系',
      '监护人2电话',
      '家庭住址',
      '易辍对象',
      '包保领导账号',
    ],
    example: [
      'G360203201501010011',
      '张小明',
      '男',
      '2015-01-01',
      'ZS01',
      '3',
      '2',
      '在读',
      '张建国',
      '父亲',
      '13812345678',
      '',
      '',
      '',
      '珠山区新厂街道某某小区1栋101',
      '否',
      '',
    ],
  },
} as const;

export type SheetKey = keyof typeof SHEETS;
export const SHEET_KEYS = Object.keys(SHEETS) as SheetKey[];

/** A row as read: header → text, with its 1-based row number in the sheet (header is row 1). */
export interface RawRow {
  row: number;
  values: Record<string, string>;
}

export type RawWorkbook = Partial<Record<SheetKey, RawRow[]>>;

/** 科任教师 in 教职工 only registers the person; their classes come from the 任课 sheet. */
export const ROLE_WORDS: Record<
  string,
  'principal' | 'deputy' | 'gradeLeader' | 'headTeacher' | 'bureau' | 'subjectTeacher'
> = {
  科任教师: 'subjectTeacher',
  校长: 'principal',
  分管领导: 'deputy',
  中层领导: 'gradeLeader',
  年级组长: 'gradeLeader',
  班主任: 'headTeacher',
  教育局: 'bureau',
  教体局: 'bureau',
};

export const SCHOOL_KINDS: Record<string, 'primary' | 'junior' | 'nineYear'> = {
  小学: 'primary',
  初中: 'junior',
  九年一贯制: 'nineYear',
};

export const STATUS_WORDS: Record<string, EnrollmentStatus> = {
  在读: 'enrolled',
  区内转出: 'transferredInDistrict',
  转出区外: 'transferredOut',
  休学: 'suspended',
  辍学: 'droppedOut',
  毕业: 'graduated',
};

export const GENDERS = ['男', '女'] as const;
export const YES_NO = ['是', '否'] as const;
/** Suggested in the template's dropdown; other words (叔叔、姑姑…) are accepted too. */
export const RELATIONS = [
  '父亲',
  '母亲',
  '祖父',
  '祖母',
  '外祖父',
  '外祖母',
  '哥哥',
  '姐姐',
  '其他亲属',
  '监护人',
];

/** Allowed values per column (the template's dropdowns and its 说明 sheet). */
export const ALLOWED: Record<string, readonly string[]> = {
  学段: Object.keys(SCHOOL_KINDS),
  角色: Object.keys(ROLE_WORDS),
  性别: GENDERS,
  学籍状态: Object.keys(STATUS_WORDS),
  易辍对象: YES_NO,
  监护人关系: RELATIONS,
  监护人2关系: RELATIONS,
};

/** Columns kept as text in the template (leading zeros, long numbers, X). */
export const TEXT_COLUMNS = new Set([
  '学籍号',
  '包保学生学籍号',
  '监护人电话',
  '监护人2电话',
  '学校代码',
  '企业微信账号',
  '包保领导账号',
]);
