import type { Command } from '../command';
import type { RoleName, SchoolKind, StaffLike } from '../../domain/roster';
import { rolesFor, type Action, type SchoolAction } from '../../domain/policy';
import { schoolKinds } from '../../roster/directory';

/**
 * `帮助` lists the commands the sender can use, grouped, one line a group (it is read on a
 * phone); `帮助 <命令>` explains one with examples. The grouping lives here, in one place.
 */
const SCHOOL: RoleName[] = ['subjectTeacher', 'headTeacher', 'gradeLeader', 'deputy', 'principal'];
/** `hidden`: answers to a question Baoxue asked (a preview's 发送), not listed, not 其他. */
const GROUPS: { title: string; names: string[]; roles?: RoleName[]; hidden?: boolean }[] = [
  {
    title: '报告',
    names: ['缺勤', '请假', '到校', '仍未到校', '家访', '撤销', '更正', '报到'],
    roles: SCHOOL,
  },
  {
    title: '查看',
    names: ['待办', '概况', '查', '进展', '我的学生', '我是谁', '家访统计', '巩固率'],
  },
  { title: '劝返复学', names: ['劝返', '帮扶', '跟进', '交接家访'], roles: SCHOOL },
  {
    title: '预防',
    names: [
      '易辍',
      '易辍名单',
      '档案',
      '备注',
      '我的家访',
      '家访进度',
      '家访补充',
      '责任书',
      '活动月',
      '确认易辍',
      '移出易辍',
    ],
    roles: SCHOOL,
  },
  {
    title: '学籍',
    names: ['转出', '休学', '复课'],
    roles: ['headTeacher', 'gradeLeader', 'deputy', 'principal'],
  },
  {
    title: '校领导',
    names: [
      '转学确认',
      '劝返计划',
      '确认辍学',
      '报告政府',
      '政府措施',
      '提交月报',
      '提交季报',
      '报告情况',
      '毕业交接',
      // Named lists and workbooks (issue #12): the school's for its leaders.
      '逾期',
      '案件',
      '导出',
      // Broadcasts (issue #12): a principal or deputy within their school, the bureau anywhere.
      '通知',
      '通知情况',
    ],
    roles: ['deputy', 'principal'],
  },
  {
    title: '教体局',
    names: ['督办', '报告情况', '逾期', '案件', '导出', '通知', '通知情况', '催报', '定时通知'],
    roles: ['bureau'],
  },
  { title: '', names: ['发送', '取消'], roles: ['deputy', 'principal', 'bureau'], hidden: true },
];

/**
 * The policy action behind a command (src/domain/policy.ts): a command is listed only for the
 * roles RULES / SCHOOL_RULES grant it to, within its group's roles.
 */
const NEEDS: Partial<Record<string, Action | SchoolAction>> = {
  更正: 'correct',
  劝返: 'persuade',
  易辍: 'proposeAtRisk',
  确认易辍: 'confirmAtRisk',
  移出易辍: 'confirmAtRisk',
  转出: 'changeEnrollment',
  休学: 'changeEnrollment',
  复课: 'changeEnrollment',
  转学确认: 'confirmTransfer',
  劝返计划: 'decide',
  确认辍学: 'confirmDropout',
  报告政府: 'reportGovernment',
  政府措施: 'reportGovernment',
  提交月报: 'submitReport',
  提交季报: 'submitReport',
  毕业交接: 'submitReport',
  督办: 'followUp',
  逾期: 'listOverdue',
  案件: 'listCases',
  导出: 'exportReport',
  通知: 'broadcast',
  通知情况: 'broadcast',
  催报: 'broadcastDistrict',
  定时通知: 'broadcastDistrict',
};
/** Commands of one kind of school: 毕业交接 from a primary school, 交接家访 at a junior one. */
const KINDS: Partial<Record<string, SchoolKind[]>> = {
  毕业交接: ['primary', 'nineYear'],
  交接家访: ['junior', 'nineYear'],
};

/** Who is asking: the roles (unknown for a guest) and the kinds of their schools. */
export interface Asker {
  roles?: RoleName[];
  kinds?: SchoolKind[];
}

/** The roles and school kinds of a sender, for `summary`. */
export async function askerOf(actor: StaffLike | null): Promise<Asker> {
  if (!actor?.roles.length) return {};
  const codes = [...new Set(actor.roles.flatMap((r) => (r.schoolCode ? [r.schoolCode] : [])))];
  return { roles: actor.roles.map((r) => r.role), kinds: await schoolKinds(codes) };
}

/** May these roles (at these kinds of school) use this command of an open group? */
function allowed(name: string, who: Asker): boolean {
  const action = NEEDS[name];
  if (who.roles && action && !rolesFor(action).some((r) => who.roles!.includes(r))) return false;
  const kinds = KINDS[name];
  return !who.kinds || !kinds || who.kinds.some((k) => kinds.includes(k));
}

export function helpCommand(all: () => Command[]): Command {
  return {
    name: '帮助',
    aliases: ['help', '?', '？', '菜单'],
    summary: '查看全部命令；「帮助 缺勤」看某个命令的用法',
    usage: '帮助 —— 列出您能用的命令\n帮助 <命令> —— 看某个命令的用法和例子，如：帮助 缺勤',
    async run(ctx, args) {
      const who = await askerOf(ctx.actor);
      const wanted = args.trim();
      if (wanted) {
        const cmd = all().find(
          (c) => c.name === wanted || c.aliases.includes(wanted.toLowerCase()),
        );
        if (cmd) return `【${cmd.name}】${cmd.summary}\n${cmd.usage}`;
        return `没有「${wanted}」这个命令。\n${summary(all(), who)}`;
      }
      return summary(all(), who);
    },
  };
}

/** The names of the commands these roles can use (all when the roles are unknown). */
export function usableNames(commands: Command[], roles?: RoleName[]): Set<string> {
  const open = (g: (typeof GROUPS)[number]) =>
    !roles || !g.roles || g.roles.some((r) => roles.includes(r));
  const allowed = new Set(
    GROUPS.filter(open)
      .flatMap((g) => g.names)
      .filter((n) => allowedFor(n, roles)),
  );
  const grouped = new Set(GROUPS.flatMap((g) => g.names));
  return new Set(commands.map((c) => c.name).filter((n) => allowed.has(n) || !grouped.has(n)));
}

const allowedFor = (name: string, roles?: RoleName[]) => allowed(name, { roles });

/** The grouped list for these roles (all groups when the roles are unknown). */
export function summary(commands: Command[], who: Asker = {}): string {
  const { roles } = who;
  const known = new Set(commands.map((c) => c.name));
  const lines: string[] = [];
  const listed = new Set<string>(['帮助']);
  for (const g of GROUPS) {
    if (roles && g.roles && !g.roles.some((r) => roles.includes(r))) continue;
    const names = g.names.filter((n) => known.has(n) && !listed.has(n) && allowed(n, who));
    names.forEach((n) => listed.add(n));
    if (names.length && !g.hidden) lines.push(`${g.title}：${names.join('、')}`);
  }
  const other = commands
    .map((c) => c.name)
    .filter((n) => !listed.has(n) && !GROUPS.some((g) => g.names.includes(n)));
  if (other.length) lines.push(`其他：${other.join('、')}`);
  const example = listed.has('缺勤') ? '缺勤' : '查';
  return `保学助手（控辍保学）能帮您：\n${lines.join('\n')}\n发送「帮助 ${example}」看用法和例子。`;
}
