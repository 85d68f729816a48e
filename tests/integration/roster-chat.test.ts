import { AuditEntry } from '../../src/models/audit';
import { Student } from '../../src/models/roster';
import { useBot } from '../support/harness';

const t = useBot();

describe('roster in chat', () => {
  it('an unknown WeCom member gets a polite note, help still works, and it is logged', async () => {
    expect((await t.bot.say('我是谁', 'stranger')).reply).toMatch(
      /还不在保学的花名册中.*联系本校分管/,
    );
    expect((await t.bot.say('查 张三', 'stranger')).reply).toMatch(/还不在保学的花名册中/);
    expect((await t.bot.say('帮助', 'stranger')).reply).toMatch(/保学助手（控辍保学）能帮您/);
    expect(
      await AuditEntry.countDocuments({ actor: 'stranger', outcome: 'refused' }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('help is short and lists what the sender can use: a teacher no leader commands, the bureau no reporting', async () => {
    const teacher = (await t.bot.say('帮助', t.d.subject.userid)).reply!;
    expect(teacher).toMatch(/报告：缺勤、请假、到校、仍未到校、家访、撤销/);
    expect(teacher).not.toMatch(/确认辍学|提交月报|转出/);
    const principal = (await t.bot.say('帮助', t.d.principal.userid)).reply!;
    expect(principal).toMatch(/校领导：.*确认辍学.*提交月报、提交季报、报告情况/);
    const bureau = (await t.bot.say('帮助', t.d.bureau.userid)).reply!;
    expect(bureau).not.toMatch(/缺勤/);
    expect(bureau).toMatch(/教体局：督办、报告情况/);
    for (const r of [teacher, principal, bureau])
      expect(r.split('\n').length).toBeLessThanOrEqual(8);
  });

  it('我是谁 lists every role the person holds', async () => {
    const reply = (await t.bot.say('我是谁', t.d.head.userid)).reply!;
    expect(reply).toContain(`${t.d.head.name}老师`);
    expect(reply).toMatch(/三年级1班 班主任/);
  });

  it("我是谁 names a grade leader's grade with the grade label, as everywhere else (issue #8)", async () => {
    const reply = (await t.bot.say('我是谁', t.d.gradeLeader.userid)).reply!;
    expect(reply).toMatch(/三年级 中层领导（包年级）/);
    expect(reply).not.toMatch(/\d年级/);
  });

  it('我的学生 summarises the class with its at-risk students', async () => {
    const reply = (await t.bot.say('我的学生', t.d.head.userid)).reply!;
    expect(reply).toMatch(/您负责 25 名学生/);
    expect(reply).toContain(t.d.atRisk.name);
  });

  it('查 shows a card with guardians masked, and audits the view', async () => {
    const reply = (await t.bot.say(`查 ${t.d.plain.name}`, t.d.head.userid)).reply!;
    expect(reply).toContain(`【${t.d.plain.name}】`);
    expect(reply).toMatch(/1\d\d\*\*\*\*\d{4}/);
    expect(
      await AuditEntry.countDocuments({
        actor: t.d.head.userid,
        action: 'view',
        target: t.d.plain.studentNo,
      }),
    ).toBe(1);
  });

  it("full phone only for the student's own teachers and leaders; the bureau sees it masked", async () => {
    const own = (await t.bot.say(`查 ${t.d.plain.name} 电话`, t.d.head.userid)).reply!;
    expect(own).toMatch(/1\d{10}/);
    expect(
      await AuditEntry.countDocuments({
        actor: t.d.head.userid,
        action: 'viewPersonal',
        outcome: 'ok',
      }),
    ).toBe(1);
    const bureau = (await t.bot.say(`查 ${t.d.plain.studentNo} 电话`, t.d.bureau.userid)).reply!;
    expect(bureau).toMatch(/不在您负责的范围内/);
    expect(
      await AuditEntry.countDocuments({
        actor: t.d.bureau.userid,
        action: 'viewPersonal',
        outcome: 'refused',
      }),
    ).toBe(1);
    const bureauCard = (await t.bot.say(`查 ${t.d.plain.studentNo}`, t.d.bureau.userid)).reply!;
    expect(bureauCard).toMatch(/\*\*\*\*/);
  });

  it('two students with the same name → a numbered choice answered with the number', async () => {
    const choice = (await t.bot.say('查 李浩然', t.d.deputy.userid)).reply!;
    expect(choice).toMatch(/有 2 位「李浩然」/);
    expect(choice).toMatch(/1\. 李浩然/);
    expect(choice).toMatch(/2\. 李浩然/);
    const picked = (await t.bot.say('２', t.d.deputy.userid)).reply!; // full-width digit from a phone keyboard
    expect(picked).toMatch(/【李浩然】/);
  });

  it('a homophone typed by the input method is suggested', async () => {
    const reply = (await t.bot.say('查 张心怡', t.d.head.userid)).reply!;
    expect(reply).toMatch(/您是不是要找/);
    expect(reply).toContain('张欣怡');
    expect((await t.bot.say('1', t.d.head.userid)).reply).toMatch(/【张欣怡】/);
  });

  it("a student outside the sender's scope is never revealed, and the refusal is logged", async () => {
    const outside = await Student.findOne({ classId: 'ZS01-3-2' }).lean<any>();
    const reply = (await t.bot.say(`查 ${outside.name}`, t.d.head.userid)).reply!;
    expect(reply).not.toContain(outside.studentNo);
    expect(reply).not.toMatch(/三年级2班/);
    const viaNo = (await t.bot.say(`查 ${outside.studentNo}`, t.d.head.userid)).reply!;
    expect(viaNo).toMatch(/没有找到/);
    expect(
      await AuditEntry.countDocuments({
        actor: t.d.head.userid,
        outcome: 'refused',
        target: outside.studentNo,
      }),
    ).toBe(1);
  });

  it('a menu click maps to a command', async () => {
    expect((await t.bot.say({ as: t.d.head.userid, event: 'click', key: 'ME' })).reply).toMatch(
      /老师。您在保学中的职责/,
    );
  });
});
