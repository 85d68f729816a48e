import { Answer, type ChatContext } from '../../chat/command';
import { authorizeSchool, canActOnSchool, Refused, type SchoolAction } from '../../domain/policy';
import type { Model } from 'mongoose';
import { School, type SchoolRow } from '../../models/roster';
import { classNames, schoolNames } from '../../roster/directory';

/** Rows listed at most (the rest counted); long lists are paged by the dispatcher. */
export const LIST_MAX = 200;

/** Where a named list (逾期, 案件, 导出) looks: one school or the whole district. */
export interface ListScope {
  /** Filter on schoolCode (`{}`: the district). */
  filter: Record<string, unknown>;
  /** The school, when the list is one school's. */
  school?: Pick<SchoolRow, 'code' | 'name'>;
  /** The bureau sees the district (school names on every line). */
  district: boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A school named in a command: exact name, else the one whose name contains the words. */
export async function schoolNamed(words: string, verb = '案件'): Promise<SchoolRow> {
  const exact = await School.findOne({ name: words }).lean();
  if (exact) return exact;
  const like = await School.find({ name: { $regex: escape(words) } })
    .limit(6)
    .lean();
  if (like.length === 1) return like[0];
  if (like.length > 1)
    throw new Answer(
      `有几所学校名称含「${words}」：${like.map((s) => s.name).join('、')}。请写全称。`,
    );
  throw new Answer(
    `没有找到学校「${words}」。请写学校全称，例如「${verb} ${await anySchool()}」。`,
  );
}

/** The command word of a named list, for its examples. */
const VERB: Partial<Record<SchoolAction, string>> = {
  listOverdue: '逾期',
  listCases: '案件',
  exportReport: '导出 月报',
};

async function anySchool(): Promise<string> {
  return (await School.findOne({}).lean())?.name ?? '某某小学';
}

/**
 * The bureau: the district, or the school it names. A principal or deputy: their school (naming
 * another one is refused). Anyone else is refused by the policy (`action`).
 */
export async function listScope(
  ctx: ChatContext,
  action: SchoolAction,
  named: string,
): Promise<ListScope> {
  const bureau = ctx.actor.roles.some((r) => r.role === 'bureau');
  if (named) {
    const school = await schoolNamed(named, VERB[action] ?? '案件');
    if (!canActOnSchool(ctx.actor, action, school.code)) {
      const mine = ctx.actor.roles.some(
        (r) => r.schoolCode && canActOnSchool(ctx.actor, action, r.schoolCode),
      );
      throw new Refused(action, school.code, mine);
    }
    return { filter: { schoolCode: school.code }, school, district: false };
  }
  if (bureau) return { filter: {}, district: true };
  const own = ctx.actor.roles.find((r) => r.role === 'principal' || r.role === 'deputy');
  if (!own?.schoolCode) throw new Refused(action);
  authorizeSchool(ctx.actor, action, own.schoolCode);
  // The sender's own school: its name from the minute-long cache (no read when warm).
  const code = own.schoolCode;
  const name = (await schoolNames([code])).get(code) ?? code;
  return { filter: { schoolCode: code }, school: { code, name }, district: false };
}

/** School and class names for the rows of one page of a list (bounded by the page). */
export async function placeNames(
  rows: { schoolCode: string; classId: string }[],
): Promise<{ schools: Map<string, string>; classes: Map<string, string> }> {
  // The roster's minute-long name caches (src/roster/directory.ts): no read when warm.
  const classIds = [...new Set(rows.map((r) => r.classId).filter(Boolean))];
  const [schools, classes] = await Promise.all([
    schoolNames(rows.map((r) => r.schoolCode)),
    classNames(classIds),
  ]);
  return { schools, classes };
}

/**
 * A list's first `limit` rows and its counts grouped by `by` (a field path, or a constant for
 * one total), in one aggregate: the counts join the list by $unionWith and are told apart by
 * their `n` (issue #11: a list costs the same round trips at any size). 逾期, 案件 and 待办.
 */
export async function listWithCounts<Row, Key extends string = string>(
  model: Model<Row>,
  filter: Record<string, unknown>,
  sort: Record<string, 1 | -1>,
  by: string,
  limit = LIST_MAX,
): Promise<{ list: Row[]; groups: { _id: Key; n: number }[] }> {
  const rows = await model.aggregate<Row & { _id: Key; n?: number }>([
    { $match: filter },
    { $sort: sort },
    { $limit: limit },
    {
      $unionWith: {
        coll: model.collection.collectionName,
        pipeline: [{ $match: filter }, { $group: { _id: by, n: { $sum: 1 } } }],
      },
    },
  ]);
  return {
    list: rows.filter((r) => r.n === undefined),
    groups: rows.filter((r) => r.n !== undefined) as { _id: Key; n: number }[],
  };
}
