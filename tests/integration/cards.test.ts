import { Staff } from '../../src/models/roster';
import { OutboxMessage } from '../../src/outbox/model';
import { IssuedCard } from '../../src/models/issued-card';
import { CARD_NOT_YOURS, CARD_USED } from '../../src/chat/dispatch';
import { useBot } from '../support/harness';
import { buildStaff } from '../support/factories';

/**
 * Issue #10 item 8: a template_card_event counts only if its TaskId was issued to that member
 * and its EventKey is one of the card's buttons; a second click on a used card runs nothing.
 */
let ran: string[];

const t = useBot({ demo: false });
beforeAll(async () => {
  t.bot.dispatcher.onCard('tst', async (ctx, key) => {
    ran.push(`${ctx.actor.userid}:${key}`);
    return `已处理 ${key}`;
  });
  t.bot.dispatcher.repeatableCards('tst', (key) => key.startsWith('tst:details'));
  // Card clicks are answered for roster members only; both are members here.
  await Staff.create([
    buildStaff({ userid: 'alice', name: '甲' }),
    buildStaff({ userid: 'mallory', name: '乙' }),
  ]);
});
beforeEach(async () => {
  ran = [];
  await OutboxMessage.deleteMany({});
  await IssuedCard.deleteMany({});
});

const card = (taskId: string) => ({
  card_type: 'button_interaction',
  main_title: { title: '测试' },
  task_id: taskId,
  button_list: [
    { text: '已家访', key: 'tst:visited:c1' },
    { text: '查看详情', key: 'tst:details:c1' },
  ],
});

async function issue(taskId: string, to: string): Promise<void> {
  await t.bot.services.outbox.enqueue(to, { kind: 'template_card', card: card(taskId) }, taskId);
}

/** Clicks through the real encrypted callback; card answers come through the outbox. */
async function click(as: string, key: string, taskId: string): Promise<string | undefined> {
  const res = await t.bot.say({ as, event: 'template_card_event', key, taskId });
  expect(res.status).toBe(200);
  const rows = await OutboxMessage.find({ recipient: as, key: /^reply:/ })
    .sort({ createdAt: -1 })
    .lean<{ sealed?: string }[]>();
  await OutboxMessage.deleteMany({ key: /^reply:/ });
  // Outbox payloads are sealed at rest (issue #10 item 4).
  const sealed = rows[0]?.sealed;
  return sealed
    ? (JSON.parse(t.bot.services.pii.open(sealed)) as { content: string }).content
    : undefined;
}

describe('card events are bound to their card (issue #10 item 8)', () => {
  it('enqueueing a card records it as issued to its recipient, with its button keys', async () => {
    await issue('bx_t1', 'alice');
    expect(await IssuedCard.findOne({ taskId: 'bx_t1' }).lean()).toMatchObject({
      userid: 'alice',
      keys: [
        { key: 'tst:visited:c1', repeatable: false },
        { key: 'tst:details:c1', repeatable: false },
      ],
      usedAt: null,
    });
  });

  it('a never-issued TaskId is refused and runs nothing', async () => {
    expect(await click('alice', 'tst:visited:c1', 'bx_forged')).toBe(CARD_NOT_YOURS);
    expect(ran).toEqual([]);
  });

  it('a card issued to someone else is refused and runs nothing', async () => {
    await issue('bx_t2', 'alice');
    expect(await click('mallory', 'tst:visited:c1', 'bx_t2')).toBe(CARD_NOT_YOURS);
    expect(ran).toEqual([]);
    expect((await IssuedCard.findOne({ taskId: 'bx_t2' }).lean())?.usedAt).toBeNull();
  });

  it('a key that is not one of the card’s buttons is refused (another card’s key)', async () => {
    await issue('bx_t3', 'alice');
    expect(await click('alice', 'tst:visited:c999', 'bx_t3')).toBe(CARD_NOT_YOURS);
    expect(ran).toEqual([]);
  });

  it('the first click runs; a double click answers 此事项已处理 and runs nothing', async () => {
    await issue('bx_t4', 'alice');
    expect(await click('alice', 'tst:visited:c1', 'bx_t4')).toBe('已处理 tst:visited:c1');
    expect(await click('alice', 'tst:visited:c1', 'bx_t4')).toBe(CARD_USED);
    expect(ran).toEqual(['alice:tst:visited:c1']);
  });

  it('a button the handler calls repeatable runs every time and does not use the card up', async () => {
    await issue('bx_t5', 'alice');
    await click('alice', 'tst:details:c1', 'bx_t5');
    await click('alice', 'tst:details:c1', 'bx_t5');
    expect(await click('alice', 'tst:visited:c1', 'bx_t5')).toBe('已处理 tst:visited:c1');
    expect(ran).toEqual(['alice:tst:details:c1', 'alice:tst:details:c1', 'alice:tst:visited:c1']);
  });

  it('two concurrent clicks on one card: exactly one runs', async () => {
    await issue('bx_t6', 'alice');
    await Promise.all([
      t.bot.say({
        as: 'alice',
        event: 'template_card_event',
        key: 'tst:visited:c1',
        taskId: 'bx_t6',
      }),
      t.bot.say({
        as: 'alice',
        event: 'template_card_event',
        key: 'tst:visited:c1',
        taskId: 'bx_t6',
      }),
    ]);
    expect(ran).toEqual(['alice:tst:visited:c1']);
  });
});
