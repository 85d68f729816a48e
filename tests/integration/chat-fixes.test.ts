import { ManualClock } from '../../src/lib/clock';
import { advance, textOf, useBot } from '../support/harness';
import { buildCard } from '../../src/notify/cards';
import { Student, type StudentRow } from '../../src/models/roster';
import { Report } from '../../src/models/report';

/** The sandbox tester's week of chat problems (chat fixes, items 1–9), through the real callback. */
const MON = '2026-11-30T08:00:00+08:00';

const t = useBot({ clock: new ManualClock(MON) });
const { say } = t;
type Who = { userid: string };
const pushesTo = (who: Who) => t.wecom.to(who.userid).map(textOf).join('\n');
const flush = async () => {
  await advance(t.bot, t.bot.clock.now());
  await t.bot.services.outbox.pump();
};
const classmates = () => t.d.students.filter((s) => s.status === 'enrolled' && !s.atRisk);

describe('item 1: an absence with a reason echoes it and is not called 无故 (二(一)2(3))', () => {
  it('缺勤 <name> 发烧: the reason is echoed, not 无故, and 请假 is suggested', async () => {
    const name = classmates()[1].name;
    const reply = await say(t.d.head, `缺勤 ${name} 发烧`);
    expect(reply).toMatch(new RegExp(`已记录：${name} .*全天缺勤（原因：发烧）`));
    expect(reply).not.toMatch(/无故缺勤/);
    expect(reply).toContain(`如家长已请假，可发送「请假 ${name}`);
  });
  it('name first with 家长说病了: the same', async () => {
    const name = classmates()[2].name;
    const reply = await say(t.d.head, `${name}今天没到，家长说病了`);
    expect(reply).toMatch(/原因：家长说病/);
    expect(reply).not.toMatch(/无故/);
    expect(reply).toContain(`「请假 ${name}`);
  });
  it('no reason: still 无故, no leave hint', async () => {
    const name = classmates()[3].name;
    const reply = await say(t.d.head, `缺勤 ${name}`);
    expect(reply).toMatch(/全天无故缺勤/);
    expect(reply).not.toMatch(/如家长已请假/);
  });
});

describe('item 2: 帮助 lists a command only for the roles the policy allows', () => {
  it('a primary head teacher: no 确认易辍、移出易辍 (confirmAtRisk), no 交接家访 (junior), no 更正', async () => {
    const help = await say(t.d.head, '帮助');
    expect(help).not.toMatch(/确认易辍|移出易辍|交接家访|更正/);
    expect(help).toMatch(/易辍/);
    expect(help.split('\n').length).toBeLessThanOrEqual(8);
  });
  it('the grade leader: 更正 is listed (correct); 案件 and 逾期 are not', async () => {
    const help = await say(t.d.gradeLeader, '帮助');
    expect(help).toMatch(/更正/);
    expect(help).not.toMatch(/案件|逾期/);
    expect(help.split('\n').length).toBeLessThanOrEqual(8);
  });
  it('the principal: 确认易辍 and 更正 listed; the bureau: 督办, no 更正', async () => {
    const principal = await say(t.d.principal, '帮助');
    expect(principal).toMatch(/确认易辍/);
    expect(principal).toMatch(/更正/);
    expect(principal.split('\n').length).toBeLessThanOrEqual(8);
    const bureau = await say(t.d.bureau, '帮助');
    expect(bureau).toMatch(/督办/);
    expect(bureau).not.toMatch(/更正/);
  });
  it('a grade leader’s 案件 says plainly who can use it', async () => {
    const reply = await say(t.d.gradeLeader, '案件');
    expect(reply).toMatch(/案件名单由校长、分管领导（本校）和区教体局（全区）查看/);
    expect(reply).not.toMatch(/您只能查看本校/);
  });
});

describe('item 3: 逾期 ends with the follow-up each role can do', () => {
  beforeAll(async () => {
    await advance(t.bot, '2026-12-02T09:00:00+08:00'); // item 1's visits are now overdue
  });
  it('the principal: 进展 and 更正, not 督办 (the bureau’s)', async () => {
    const reply = await say(t.d.principal, '逾期');
    expect(reply).toMatch(/【逾期事项/);
    expect(reply).toMatch(/「进展 姓名」.*「更正 姓名」/);
    expect(reply).not.toMatch(/督办/);
  });
  it('the bureau: 督办, not 更正', async () => {
    const reply = await say(t.d.bureau, '逾期');
    expect(reply).toMatch(/「督办 姓名」督办/);
    expect(reply).not.toMatch(/更正/);
  });
});

describe('item 4: the home-visit follow-up question does not swallow commands and chit-chat', () => {
  const ask = /请补充家访记录（回复「跳过」结束）：这次是怎么家访的/;
  const open = async () => {
    const reply = await say(t.d.head, `家访 ${classmates()[4].name} 孩子在家，说下周回校`);
    expect(reply).toMatch(ask);
  };
  it('谢谢 and 👍 get a short acknowledgement; the question stays and is then answered', async () => {
    await open();
    expect(await say(t.d.head, '谢谢')).toMatch(/^不客气！请补充家访记录.*怎么家访的/);
    expect(await say(t.d.head, '👍')).toMatch(/^收到。请补充家访记录.*怎么家访的/);
    expect(await say(t.d.head, '入户')).toMatch(/见到（或联系上）了谁/);
    // The visited student's name as the answer to 见到了谁 is an answer, not a command.
    expect(await say(t.d.head, `${classmates()[4].name}本人`)).toMatch(/^请补充家访记录.*约定/);
    expect(await say(t.d.head, '跳过')).toMatch(/家访记录已保存/);
  });
  it('a mistyped command word with a name (家方 / 缺琴) leaves the question and is answered', async () => {
    await open();
    const typo = await say(t.d.head, `家方 ${classmates()[5].name}`);
    expect(typo).toMatch(/^（已结束 .* 的家访记录补充/);
    expect(typo).toMatch(/没看懂您的消息[\s\S]*· 家访：/);
    await open();
    const absent = await say(t.d.head, `缺琴 ${classmates()[5].name}`);
    expect(absent).toMatch(/已结束/);
    expect(absent).toMatch(/· 缺勤：/);
    expect(await say(t.d.head, '入户')).not.toMatch(/见到（或联系上）了谁/);
  });
  it('a how-question and a report about another student leave it too', async () => {
    await open();
    const how = await say(t.d.head, '请问怎么报缺勤');
    expect(how).toMatch(/已结束[\s\S]*【缺勤】/);
    await open();
    const other = await say(t.d.head, `${classmates()[6].name}今天上午没来`);
    expect(other).toMatch(/已结束[\s\S]*已记录/);
  });
});

describe('item 5: 请问/怎么/如何 anywhere with a command word → that command’s usage', () => {
  it.each(['请问怎么报缺勤', '请问缺勤怎么报？', '老师如何登记请假', '缺勤怎么撤销'])(
    '%s',
    async (q) => {
      expect(await say(t.d.head, q)).toMatch(/^【(缺勤|请假)】/);
    },
  );
  it('a visit record that merely contains 怎么 is still a visit', async () => {
    const reply = await say(t.d.head, `家访 ${classmates()[7].name} 电话 家长说孩子怎么也劝不动`);
    expect(reply).toMatch(/家访/);
    expect(reply).not.toMatch(/^【家访】/);
  });
});

describe('item 6: broadcast drafts say what they did, keep the text, and name the bureau’s audiences', () => {
  it('two drafts: 发送 names what was sent and the draft still waiting; 取消 after sending', async () => {
    await say(t.d.principal, '通知 全体教师 明天下午三点开会，谢谢。');
    await say(t.d.principal, '通知 全体班主任 周五前交家访记录');
    const first = await say(t.d.principal, '发送');
    expect(first).toMatch(/已开始发送「周五前交家访记录」给 .*全体班主任/);
    expect(first).toMatch(/还有一条待确认的通知（发给 .*全体教师：「明天下午三点开会，谢谢。」）/);
    const second = await say(t.d.principal, '发送');
    expect(second).toMatch(/已开始发送「明天下午三点开会，谢谢。」/);
    expect(second).not.toMatch(/还有一条/);
    expect(await say(t.d.principal, '取消')).toMatch(/已于 .* 发出，无法取消/);
    await flush();
    // The recipients get the sender's text exactly, its final 「。」 included.
    const got = t.wecom.sent.filter((c) => c.touser.split('|').includes(t.d.subject.userid));
    expect(got.map((c) => c.content).join('\n')).toContain('【通知】明天下午三点开会，谢谢。\n——');
  });
  it('a principal’s 通知 全体校长 is the bureau’s audience, not "nobody in the roster"', async () => {
    const reply = await say(t.d.principal, '通知 全体校长 开会');
    expect(reply).toMatch(/全体校长.*由区教体局发送/);
    expect(reply).not.toMatch(/没有人/);
  });
  it('the audience help’s example names real schools; the usage uses placeholders', async () => {
    const help = await say(t.d.bureau, '通知 某某人 开会');
    expect(help).toMatch(/通知 珠山区第一小学、\S+ 全体班主任/);
    expect(help).not.toMatch(/城关一中|实验小学/);
    expect(await say(t.d.bureau, '帮助 通知')).toMatch(/通知 <学校名>、<学校名> 全体班主任/);
  });
  it('a card’s long content is cut with 「…」', () => {
    const long = '请各校于本月八日前提交上月流失生月报'.repeat(10);
    const card = buildCard(
      { title: '通知预览', sub: long, lines: [['内容', long]], buttons: [], fallback: '' },
      'k',
    ) as { sub_title_text: string; horizontal_content_list: { value: string }[] };
    expect(card.sub_title_text).toHaveLength(110);
    expect(card.sub_title_text.endsWith('…')).toBe(true);
    expect(card.horizontal_content_list[0].value.endsWith('…')).toBe(true);
  });
});

describe('items 7 and 8: namesakes shown with the tail; the deputy is not told to report 全天', () => {
  it('缺勤 of one of two 李浩然 in a school (熊浩然 in the sandbox): the reply and the deputy’s push show the tail', async () => {
    const twins = await Student.find({ name: '李浩然', schoolCode: 'ZS01' }).lean<StudentRow[]>();
    expect(twins.length).toBeGreaterThanOrEqual(2);
    const one = twins[0];
    const tail = `李浩然（尾号${one.studentNo.slice(-4)}）`;
    const reply = await say(t.d.principal, `缺勤 ${one.studentNo} 上午`);
    expect(reply).toContain(`已记录：${tail}`);
    await flush();
    const told = pushesTo(t.d.deputy);
    expect(told).toContain(tail);
    expect(told).not.toMatch(/如全天未到，请报告/);
  });
  it('the bureau’s numbered choice across schools names each school', async () => {
    const same = await Student.aggregate<{ _id: string; n: number }>([
      { $group: { _id: '$name', n: { $sum: 1 } } },
    ]);
    const rows = await Student.find({
      name: { $in: same.filter((g) => g.n > 1).map((g) => g._id) },
    }).lean<StudentRow[]>();
    const across = rows.find((r) =>
      rows.some((o) => o.name === r.name && o.schoolCode !== r.schoolCode),
    )!;
    const reply = await say(t.d.bureau, `督办 ${across.name}`);
    expect(reply).toMatch(/请回复序号选择/);
    expect(reply).toMatch(/1\. \S+\u3000珠山区\S+ \S+班/);
  });
});

describe('item 9: small wording', () => {
  it('撤销: 「姓名的「报告缺勤」」 without an odd space', async () => {
    const name = classmates()[8].name;
    await say(t.d.head, `缺勤 ${name}`);
    const reply = await say(t.d.head, `撤销 ${name}`);
    expect(reply).toContain(`${name}的「`);
    expect(reply).not.toContain(`${name} 的「`);
  });
  it('逾期 <unknown school>: the example uses 逾期; 逾期 and 案件 refusals read alike', async () => {
    const reply = await say(t.d.bureau, '逾期 实验小学');
    expect(reply).toMatch(/没有找到学校「实验小学」.*例如「逾期 珠山区/);
    const overdue = await say(t.d.gradeLeader, '逾期');
    const cases = await say(t.d.gradeLeader, '案件');
    expect(overdue).toBe('逾期名单由校长、分管领导（本校）和区教体局（全区）查看。');
    expect(cases).toBe('案件名单由校长、分管领导（本校）和区教体局（全区）查看。');
  });
  it('a second 提交月报 says when it was submitted', async () => {
    // November's report as the monthly job opens it (reports.test.ts runs the job itself).
    await Report.create({
      key: 'ZS01:monthly:2026-11',
      schoolCode: 'ZS01',
      kind: 'monthly',
      period: '2026-11',
      label: '2026年11月',
      dueAt: new Date('2026-12-07T10:00:00Z'),
      status: 'open',
    });
    const first = await say(t.d.principal, '提交月报');
    expect(first).toMatch(/已上报 .*流失生月报/);
    const again = await say(t.d.principal, '提交月报');
    expect(again).toMatch(/流失生月报已于 .* 上报，区教体局已收到，无需重复上报。/);
    expect(again).not.toMatch(/目前没有待上报/);
  });
});

describe('item 2/9: 您只能查看本校 only for those who can see their own school', () => {
  it('a principal naming another school is told 本校; a grade leader naming one is not', async () => {
    const other = '珠山区第二中学';
    expect(await say(t.d.principal, `案件 ${other}`)).toMatch(/您只能查看本校的案件/);
    expect(await say(t.d.principal, `逾期 ${other}`)).toMatch(/您只能查看本校的逾期名单/);
    expect(await say(t.d.gradeLeader, `案件 ${other}`)).not.toMatch(/您只能/);
  });
});
