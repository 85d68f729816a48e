/**
 * What people type into a roster, normalised: full-width digits and letters, dates written
 * 2015/3/1, 2015.3.1 or 2015年3月1日 (or an Excel date), phones with dashes, spaces or +86.
 * Pure functions; `undefined` means "not recognisable".
 */
import { DateTime } from 'luxon';
import { smallNumber } from '../lib/cn-number';

/** Full-width ASCII (０-９, Ａ-Ｚ, －, ＋…) → half-width; ideographic space → space; trimmed. */
export function halfWidth(s: string | undefined): string {
  return (s ?? '')
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .trim();
}

// Excel's day 0 is 1899-12-30 (it counts 1900-02-29, which did not exist).
const EXCEL_EPOCH = DateTime.fromISO('1899-12-30', { zone: 'utc' });

/** A birth date as YYYY-MM-DD, from the forms people type; undefined if not a real date. */
export function normDate(input: string | undefined): string | undefined {
  const s = halfWidth(input).replace(/\s+/g, '');
  if (/^\d{5}(\.\d+)?$/.test(s)) {
    // An Excel date serial (a date cell read as its number).
    const d = EXCEL_EPOCH.plus({ days: Math.floor(Number(s)) });
    return d.year >= 1900 && d.year <= 2100 ? d.toISODate()! : undefined;
  }
  const m =
    /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const d = DateTime.fromObject(
    { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) },
    { zone: 'utc' },
  );
  return d.isValid ? d.toISODate()! : undefined;
}

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^(0\d{2,3})(\d{7,8})$/;

/**
 * A phone as stored: a mobile as 11 digits; a landline as 区号-号码. Accepts 138-1234-5678,
 * 138 1234 5678, full-width digits, +86 / 0086 / 86 before a mobile, (0798)8221234.
 */
export function normPhone(input: string | undefined): string | undefined {
  const digits = halfWidth(input).replace(/[\s\-()（）]/g, '');
  if (!/^\+?\d+$/.test(digits)) return undefined;
  const bare = digits.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  if (MOBILE.test(bare)) return bare;
  const land = LANDLINE.exec(bare);
  return land ? `${land[1]}-${land[2]}` : undefined;
}

/** A whole number from "3", "３", "三", "3年级", "三年级", "2班", "初一" (= 7). */
export function normInt(input: string | undefined): number | undefined {
  let s = halfWidth(input).replace(/\s+/g, '');
  const junior = /^初([一二三])$/.exec(s);
  if (junior) return 6 + smallNumber(junior[1])!;
  s = s.replace(/(年级|班)$/, '');
  if (/^\d+$/.test(s)) return Number(s);
  if (/^十?[一二三四五六七八九]?$/.test(s) && s) {
    return smallNumber(s);
  }
  return undefined;
}

/**
 * 全国中小学生学籍号: G (with a national ID number) or L (a temporary number) followed by 18
 * characters, digits, the last of which may be X. So 19 characters in all.
 */
export const STUDENT_NO_RULE = 'G 或 L 开头，后跟 18 位（数字，最后一位可以是 X），共 19 位';
const STUDENT_NO = /^[GL]\d{17}[\dX]$/;

/** The 学籍号 normalised (half-width, upper case); validity is checked separately. */
export function normStudentNo(input: string | undefined): string {
  return halfWidth(input).replace(/\s+/g, '').toUpperCase();
}

export function studentNoProblem(no: string, typed = no): string | undefined {
  if (STUDENT_NO.test(no)) return undefined;
  if (/^\d{17}[\dX]$/.test(no))
    return `学籍号「${typed}」只有 18 位，像身份证号：学籍号应为 ${STUDENT_NO_RULE}`;
  return `学籍号「${typed}」格式不对，应为 ${STUDENT_NO_RULE}`;
}

/** 是/否 as typed (是、否、Y、N、1、0、√…); undefined if neither. Empty is 否. */
export function normYesNo(input: string | undefined): boolean | undefined {
  const s = halfWidth(input).toLowerCase();
  if (['是', 'y', 'yes', '1', 'true', '√'].includes(s)) return true;
  if (['', '否', 'n', 'no', '0', 'false', '×'].includes(s)) return false;
  return undefined;
}
