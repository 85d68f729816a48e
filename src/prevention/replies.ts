import type { HomeVisitRow } from '../models/case';
import { formatDay, isoDay } from '../lib/time';

const j = (...parts: string[]) => parts.join('');

/** Prevention's user-facing text: short Chinese, addresses the user as 您, says what is next. */
export const P = {
  // ── at-risk register (二(一)2(2)) ──
  notEnrolled: (n: string) => `${n} 目前不在籍，无法登记为易辍对象。`,
  needReason: (n: string) => `请写上原因，例如：易辍 ${n} 父母外出务工，厌学。`,
  needRemoveReason: (n: string) =>
    `请写上移出原因，例如：移出易辍 ${n} 家庭情况好转，连续两月正常到校。`,
  needNote: (n: string) => `请写上备注内容，例如：备注 ${n} 本周已申请困难补助。`,
  proposed: (n: string) =>
    j(`已提出将 ${n} 列为易辍对象，已请分管领导确认并指定包保领导。`, '确认前由年级组长暂代包保。'),
  proposalTold: (n: string, by: string, why: string) =>
    j(
      `【易辍对象待确认】${by} 提出将 ${n} 列为易辍对象：${why}。`,
      `请发送「确认易辍 ${n} 包保领导姓名」确认并指定包保领导；不指定时由年级组长暂代。`,
    ),
  reasonAdded: (n: string) => `已为易辍对象 ${n} 补充原因，可发送「档案 ${n}」查看。`,
  notProposed: (n: string) => `${n} 不在易辍名单中。请先发送「易辍 ${n} 原因」提出。`,
  notALeader: (name: string) =>
    `「${name}」不是本校的校领导或中层领导，不能担任包保领导。请核对姓名后再发。`,
  confirmed: (n: string, who: string, first: boolean) =>
    j(
      first ? `已确认 ${n} 为易辍对象。` : `已更新 ${n} 的包保领导。`,
      `双包保：${who}。两位会收到定期联系提醒，${n} 缺勤时会最先收到通知。`,
    ),
  ownersTold: (n: string, who: string, days: number) =>
    j(
      `【易辍对象】${n} 已列为易辍对象，双包保：${who}。`,
      `请每 ${days} 天至少联系（家访）一次，家访后发「家访 ${n} 记录」。`,
    ),
  notOnRegister: (n: string) => `${n} 不在易辍名单中，无需移出。`,
  removed: (n: string) => `已将 ${n} 移出易辍名单，原因已记录。`,
  removedTold: (n: string, by: string) =>
    `【易辍对象移出】${by} 已将 ${n} 移出易辍名单，联系提醒停止。`,
  noted: (n: string) => `已添加备注。发送「档案 ${n}」查看完整档案。`,
  noList: '您名下暂无易辍对象。发现有辍学苗头的学生，可发送「易辍 姓名 原因」提出。',
  listHead: (k: number) => `【易辍名单】共 ${k} 人：`,
  listHint: '发送「档案 姓名」查看档案，家访后发「家访 姓名 记录」。',
  contactDue: (n: string, last: Date | undefined, by: string) =>
    j(
      `【联系提醒】易辍对象 ${n} 该联系了`,
      last ? `（上次联系 ${formatDay(isoDay(last))}）` : '',
      `。请在 ${by} 前家访或电话联系，之后发「家访 ${n} 记录」。`,
    ),
  lapsed: (n: string, by: string) =>
    j(
      `【易辍学生家访】${n} 已超过联系周期未联系（访在前、防在先）。`,
      `请在 ${by} 前家访，完成后发「家访 ${n} 记录」。`,
    ),
  contactDutyMet: (n: string) => `已完成 ${n} 的易辍学生家访任务。`,
  nextContactDue: (n: string, day: string) =>
    `【家访约定】今天（${day}）是您与 ${n} 家约定的再次联系日。联系后请发「家访 ${n} 记录」。`,
  // ── visit records (二(一)2(3)) ──
  ask: (q: string) => `请补充家访记录（回复「跳过」结束）：${q}`,
  askAgain: (q: string) => `没看懂，请再回复一次（或回复「跳过」结束）：${q}`,
  /** 谢谢 / 👍 while a question is open: a short answer, and the question stays. */
  ackAsk: (kind: 'thanks' | 'greeting' | 'emoji', q: string) =>
    `${kind === 'thanks' ? '不客气！' : kind === 'greeting' ? '您好！' : '收到。'}` +
    `请补充家访记录（回复「跳过」结束）：${q}`,
  /** A command typed while a question was open: the exchange ends, the command goes on. */
  exchangeLeft: (n: string) => `（已结束 ${n} 的家访记录补充，已填的内容已保存。）`,
  noExchange: '没有待补充的家访记录。家访后请发「家访 姓名 记录」。',
  skipped: (n: string) => `好的，${n} 的家访记录已保存，未填的部分可以之后再补。`,
  visitComplete: (n: string, v: HomeVisitRow) =>
    j(
      `${n} 的家访记录已完整：${v.how ?? ''}，见到${v.whom ?? ''}；`,
      `约定：${v.agreed ?? '无'}；下次联系：`,
      v.nextContact && v.nextContact !== 'none'
        ? `${formatDay(v.nextContact)}（到时提醒您）`
        : '未定',
      '。',
    ),
  noQuota: '您没有本学期的家访任务（家访任务按班主任和科任教师计算）。',
  myCount: (sem: string, done: number, quota: number) =>
    `【我的家访】${sem}已家访 ${done} 人次，要求不少于 ${quota} 人次。`,
  behind: (expected: number, perWeek: number) =>
    `按进度此时应达到 ${expected} 人次，已落后；之后每周需家访约 ${perWeek} 人次。`,
  onPace: (perWeek: number) => `进度正常；之后每周家访约 ${perWeek} 人次即可完成。`,
  notYet: (k: number, of: number, names: string[]) =>
    `您的 ${of} 名学生中还有 ${k} 名本学期未家访：${names.join('、')}${k > names.length ? '等' : ''}`,
  allVisited: (of: number) => `您的 ${of} 名学生本学期都已家访。`,
  noRound: '目前没有集中家访安排。',
  roundHead: (label: string, from: Date, to: Date) =>
    `【家访进度】${label}（${formatDay(isoDay(from))}—${formatDay(isoDay(new Date(to.getTime() - 1)))}）`,
  roundNext: (label: string, from: Date, to: Date) =>
    `【家访进度】下一轮：${label}（${formatDay(isoDay(from))}—` +
    `${formatDay(isoDay(new Date(to.getTime() - 1)))}），尚未开始。`,
  soFar: '本学期至今：',
  quotaSoFar: (done: number, quota: number) =>
    `本学期您已家访 ${done} 人次，要求不少于 ${quota} 人次。`,
  roundList: (label: string, until: Date, names: string[], done: number, quota: number) =>
    j(
      `【集中家访】${label}开始了，请在 ${formatDay(isoDay(new Date(until.getTime() - 1)))} 前完成。`,
      names.length ? `您需要家访的学生（${names.length} 人）：${names.join('、')}。` : '',
      `本学期您已家访 ${done} 人次，要求不少于 ${quota} 人次。家访后发「家访 姓名 记录」。`,
    ),
  paceReminder: (done: number, quota: number, expected: number, perWeek: number) =>
    j(
      `【家访进度提醒】学期过半，您已家访 ${done} 人次（要求 ${quota}），`,
      `按进度应达到 ${expected} 人次。请每周家访约 ${perWeek} 人次；发「我的家访」查看未访学生。`,
    ),
  fellShort: (sem: string, names: string[]) =>
    `【家访任务完成情况】${sem}未完成家访任务的教师：${names.join('；')}。请督促并纳入考核。`,
  // ── responsibility letters ──
  lettersUsage: '请写上已签订的人，例如：责任书 已签 张三 李四。发送「责任书」查看进度。',
  lettersWho: '责任书由班主任（监护人）、校长（教职工）和教体局（校长）登记。',
  lettersAmbiguous: (names: string[]) => `有重名：${names.join('、')}。请改用学籍号。`,
  lettersSigned: (names: string[], unknown: string[], kind: string) =>
    j(
      `已登记 ${names.length} 份${kind === 'guardian' ? '监护人' : ''}责任书：${names.join('、') || '无'}。`,
      unknown.length ? `未找到：${unknown.join('、')}，请核对。` : '',
      '发送「责任书」查看进度。',
    ),
  // ── campaign months (二(二)1(1)) ──
  notCampaign: '现在不是控辍保学活动月（每年3月、9月）。',
  tickWho: '活动月事项由班主任勾选；校长发送「活动月」查看全校进度。',
  tickWhich: '请写明完成的事项：家长信、家长会、责任书、家访。例如：活动月 已完成 家长会',
  tickHint: '完成后发送「活动月 已完成 家长会」（家长信、家长会、责任书、家访）。',
  kickoff: (month: number, items: string[], head: boolean) =>
    [
      `【控辍保学活动月】${month}月是控辍保学活动月，请本月完成：`,
      ...items,
      head
        ? '完成一项后发送「活动月 已完成 家长会」；发送「活动月」查看进度。'
        : '发送「活动月」查看全校进度；月末教体局将汇总各校完成情况。',
    ].join('\n'),
  campaignBehind: (month: number, lines: string[]) =>
    lines.length
      ? [`【活动月进度】${month}月活动月还有一周结束，以下学校尚未完成：`, ...lines].join('\n')
      : `【活动月进度】${month}月活动月各校均已完成。`,
  campaignBehindSchool: (month: number, lines: string[]) =>
    [`【活动月进度】${month}月活动月还有一周结束，您校以下班级尚未完成：`, ...lines].join('\n'),
  campaignEnd: (month: number, lines: string[]) =>
    [`【活动月总结】${month}月控辍保学活动月各校完成情况：`, ...lines].join('\n'),
};
