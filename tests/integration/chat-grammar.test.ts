import request from 'supertest';
import { ManualClock } from '../../src/lib/clock';
import { baseApp, opsRouter } from '../../src/app';
import { CaseFact } from '../../src/models/case';
import { sandboxBanner } from '../../src/sandbox/hint';
import { useBot } from '../support/harness';

/** Issue #14 through the real encrypted callback: what teachers type, and what they are told. */
const MON = '2026-11-30T08:00:00+08:00';

const t = useBot({ clock: new ManualClock(MON) });

const { say } = t;

describe('issue #14 item 1: phrasings through the dispatcher', () => {
  it('name before the verb, 今天没来, with no space: an absence is recorded for today', async () => {
    const reply = await say(t.d.head, `${t.d.plain.name}今天没来`);
    expect(reply).toMatch(/已记录/);
    expect(await CaseFact.countDocuments({ type: 'absence', studentNo: t.d.plain.studentNo })).toBe(
      1,
    );
    // The same report again, name after the verb: the sender is told it was them (您).
    expect(await say(t.d.head, `${t.d.plain.name} 缺勤`)).toMatch(/您已报告过/);
  });
  it('a name typed with a space inside is the whole name, not its first character', async () => {
    const name = t.d.atRisk.name;
    const spaced = `${[...name][0]} ${[...name].slice(1).join('')}`;
    expect(await say(t.d.head, `查 ${spaced}`)).toContain(`【${name}】`);
  });
  it('你好 and 谢谢 are answered briefly, addressed as 您', async () => {
    expect(await say(t.d.head, '你好')).toMatch(/^您好！.*帮助/);
    expect(await say(t.d.head, '谢谢')).toMatch(/^不客气/);
  });
  it('a how-question gets the command’s help', async () => {
    expect(await say(t.d.head, '怎么请假')).toMatch(/^【请假】/);
  });
});

describe('issue #14 item 2: suggestions and choices', () => {
  it('a different surname is another child: 缺勤 王浩然 is not found, 李浩然 is not suggested', async () => {
    const reply = await say(t.d.deputy, '缺勤 王浩然');
    expect(reply).toMatch(/没有找到「王浩然」/);
    expect(reply).not.toMatch(/李浩然/);
  });
  it('a wrong number keeps the choice and asks again; 第二个 then picks', async () => {
    expect(await say(t.d.deputy, '查 李浩然')).toMatch(/有 2 位「李浩然」/);
    const again = await say(t.d.deputy, '3');
    expect(again).toMatch(/没有第 3 项，请回复 1 到 2 之间的序号/);
    expect(again).toMatch(/1\. 李浩然[\s\S]*2\. 李浩然/);
    expect(await say(t.d.deputy, '第二个')).toMatch(/【李浩然】/);
  });
});

describe('issue #14 item 3: not understood → the closest commands, not the whole menu', () => {
  it('家方 → 家访, without the full menu', async () => {
    const reply = await say(t.d.head, `家方 ${t.d.plain.name}`);
    expect(reply).toMatch(/没看懂您的消息/);
    expect(reply).toMatch(/· 家访：/);
    expect(reply).not.toMatch(/保学助手（控辍保学）能帮您/);
    expect(reply.split('\n').filter((l) => l.startsWith('· ')).length).toBeLessThanOrEqual(3);
  });
  it('a long notice is not echoed back cut in the middle', async () => {
    const reply = await say(t.d.head, '通知 各校校长：请于12月8日前提交11月报');
    expect(reply).not.toMatch(/没看懂「/);
  });
  it('a leader-only command is not offered to a subject teacher', async () => {
    expect(await say(t.d.subject, '确认辍血')).not.toMatch(/确认辍学/);
  });
});

describe('issue #14 item 4: 概况 says whose scope it covers', () => {
  it('a heading naming the scope, for a head teacher and for the bureau', async () => {
    expect(await say(t.d.head, '概况')).toMatch(/^【概况 · .*三年级1班.*】/);
    expect(await say(t.d.bureau, '概况')).toMatch(/^【概况 · .+】/);
  });
});

describe('issue #14 item 5: the quick start and long messages', () => {
  it('an over-long message (over 2,000 characters) is answered, not dropped', async () => {
    const res = await t.bot.say('家访 '.concat('情况说明'.repeat(800)), t.d.head.userid);
    expect(res.status).toBe(200);
    expect(res.reply).toMatch(/消息太长.*请分几次发送/);
  });
  it('production: / is a 404', async () => {
    expect((await request(t.bot.app.callback()).get('/')).status).toBe(404);
  });
  it('the console hint names a real demo user whose 帮助 shows teacher commands', async () => {
    const banner = await sandboxBanner('http://127.0.0.1:3000');
    expect(banner).toContain(`--as ${t.d.head.userid} 帮助`);
    const help = await say(t.d.head, '帮助');
    expect(help).toMatch(/缺勤/);
    expect(help).not.toMatch(/花名册中|校领导：/);
  });
});

describe('issue #14 item 5: sandbox mode', () => {
  it('/ redirects to /sandbox (the routes boot mounts in sandbox mode)', async () => {
    const app = baseApp();
    app.use(opsRouter(() => false, undefined, true).routes());
    const res = await request(app.callback()).get('/');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/sandbox');
  });
});
