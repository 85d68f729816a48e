/**
 * Every keyed job, declared once: its name, the label people see (sandbox clock panel), and
 * how its typed argument becomes the key Agenda stores and back. Handlers are attached by the
 * feature that owns the job (features.ts); scheduling and cancelling go through the kind, so
 * no job name or key format is written twice.
 */
export interface JobKind<A> {
  name: string;
  label: string;
  key(a: A): string;
  parse(key: string): A;
}

/** Jobs keyed by a month (the run on the 1st of that month): `cycle:<what>:<yyyy-MM>`. */
function monthly(what: string, label: string): JobKind<{ month: string }> {
  return {
    name: `report.${what}`,
    label,
    key: (a) => `cycle:${what}:${a.month}`,
    parse: (k) => ({ month: k.split(':')[2] }),
  };
}

function byYear(what: string, label: string): JobKind<{ year: number }> {
  return {
    name: `handoff.${what}`,
    label,
    key: (a) => `handoff:${what}:${a.year}`,
    parse: (k) => ({ year: Number(k.split(':')[2]) }),
  };
}

function bySemester(name: string, label: string): JobKind<{ semester: string }> {
  return {
    name,
    label,
    key: (a) => `${name}:${a.semester}`,
    parse: (k) => ({ semester: k.split(':')[1] }),
  };
}

export const JOBS = {
  monthlyReport: monthly('monthly', '流失生月报开始'),
  quarterlyReport: monthly('quarterly', '学籍变动季报开始'),
  campaign: monthly('campaign', '控辍保学活动月提醒'),
  visitRound: {
    name: 'report.visitRound',
    label: '集中家访提醒',
    key: (a: { round: string }) => `cycle:visitRound:${a.round}`,
    parse: (k: string) => ({ round: k.slice('cycle:visitRound:'.length) }),
  },
  reportDeadline: {
    name: 'report.deadline',
    label: '报告截止检查',
    key: (a: { report: string }) => a.report,
    parse: (k: string) => ({ report: k }),
  },
  registrationRemind: bySemester('registration.remind', '开学报到提醒'),
  registrationCheck: bySemester('registration.check', '入学注册关：未报到学生立案'),
  campaignCheck: {
    name: 'prevention.campaignCheck',
    label: '活动月进度检查（月末前一周、月末）',
    key: (a: { month: string; stage: 'behind' | 'end' }) => `campaign:${a.stage}:${a.month}`,
    parse: (k: string) => ({
      stage: k.split(':')[1] as 'behind' | 'end',
      month: k.split(':')[2],
    }),
  },
  /** A scheduled notice in the bureau's name (issue #12): `notice:<which>:<slot>`. */
  scheduledNotice: {
    name: 'broadcast.scheduled',
    label: '定时通知（催报等）',
    key: (a: { notice: string; slot: string }) => `notice:${a.notice}:${a.slot}`,
    parse: (k: string) => {
      const [, notice, ...slot] = k.split(':');
      return { notice, slot: slot.join(':') };
    },
  },
  handoffRemind: byYear('remind', '毕业交接提醒'),
  handoffCheck: byYear('check', '交接核查（毕业生是否已在初中注册）'),
} as const;

/** Labels for the sandbox's clock panel, with the data-driven sources. */
export const JOB_LABELS: Record<string, string> = {
  ...Object.fromEntries(Object.values(JOBS).map((k) => [k.name, k.label])),
  'cases.sweep': '案件到期事项（询问、提醒、逾期上报）',
  'prevention.sweep': '易辍学生联系提醒、家访约定提醒',
  'broadcast.settle': '通知送达情况汇总',
};
