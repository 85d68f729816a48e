import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import { Answer, type ChatContext } from '../chat/command';
import { writeDraft, type Draft } from '../broadcast/ops/draft';
import { decideBroadcast, type Choice } from '../broadcast/ops/decide';
import { noticeFilter } from '../broadcast/queries/status';
import { scopeAudience, type Audience, type AudienceRole } from '../domain/broadcast';
import { canActOnSchool, refusal } from '../domain/policy';
import { GRADE_LABEL, gradesOfSchools } from '../domain/roster';
import { isoDay } from '../lib/time';
import { audit } from '../models/audit';
import { Broadcast, type BroadcastDoc } from '../models/broadcast';
import type { SchoolRow } from '../models/roster';
import { currentUser, forged, formBody } from './auth';
import { frame, NOTICES, refuse, sendTable, type WebUser } from './frame';
import { esc, tableHtml } from './html';
import type { DashboardDeps } from './routes';
import { loadScope, mayBroadcast, mayOpen, type WebScope } from './scope';
import type { Table } from './table';

/**
 * 通知 on the dashboard (issue #12 "the broadcast form with preview"): a form (role group,
 * schools, grade, text) → 预览 writes a draft with the chat's own operation (nothing is sent)
 * → 发送 / 取消 call the chat's decideBroadcast, whose draft → sending step is one conditional
 * update, so a double submit sends once. Below: the notices sent (the bureau all, a principal
 * or deputy their own), searchable, downloadable as xlsx.
 */
const ROLE_GROUPS: { value: string; label: string; roles: AudienceRole[] }[] = [
  { value: 'staff', label: '全体教师', roles: ['staff'] },
  { value: 'principal', label: '校长', roles: ['principal'] },
  { value: 'deputy', label: '分管领导', roles: ['deputy'] },
  { value: 'leaders', label: '校领导（校长和分管领导）', roles: ['principal', 'deputy'] },
  { value: 'gradeLeader', label: '年级组长', roles: ['gradeLeader'] },
  { value: 'headTeacher', label: '班主任', roles: ['headTeacher'] },
];
/** The record shows at most this many notices (newest first); a keyword finds older ones. */
const SHOWN = 500;
const SENT: BroadcastDoc['status'][] = ['sending', 'done'];
const STATUS: Record<BroadcastDoc['status'], string> = {
  draft: '待确认',
  cancelled: '已取消',
  expired: '已失效',
  sending: '发送中',
  done: '已发完',
};

interface Open {
  user: WebUser;
  scope: WebScope;
  ctx: ChatContext;
}

export function noticeRoutes(router: Router, deps: DashboardDeps): void {
  const path = `/dashboard/:scope/${NOTICES}`;
  router.get(path, async (ctx) => {
    const o = await open(ctx, deps);
    if (o) await show(ctx, deps, o, {});
  });
  router.get(`${path}.xlsx`, async (ctx) => {
    const o = await open(ctx, deps);
    if (!o) return;
    const q = String(ctx.query.q ?? '');
    await sendTable(ctx, await record(o, q), o.scope, `截至 ${isoDay(o.ctx.now)}`);
  });
  router.post(`${path}/preview`, async (ctx) => {
    const p = await openPost(ctx, deps);
    if (p) await preview(ctx, deps, p.o, p.form);
  });
  for (const choice of ['send', 'cancel'] as Choice[])
    router.post(`${path}/${choice}`, async (ctx) => {
      const p = await openPost(ctx, deps);
      if (!p) return;
      const id = p.form.get('id') ?? '';
      // The chat's own operation: a second 发送 is told it went out already, and sends nothing.
      const message = /^[0-9a-f]{24}$/.test(id)
        ? await decideBroadcast(p.o.ctx, choice, id)
        : '这条通知不存在。';
      await show(ctx, deps, p.o, { message });
    });
}

/** A POST: signed in and its CSRF token right (else 403), then the checks of `open`. */
async function openPost(
  ctx: RouterContext,
  deps: DashboardDeps,
): Promise<{ o: Open; form: URLSearchParams } | undefined> {
  const user = await currentUser(ctx, deps.sessions);
  const form = await formBody(ctx);
  if (!user) return void ctx.redirect('/dashboard/login');
  if (forged(ctx, form.get('csrf'), deps.sessions.csrf(user.session))) return undefined;
  const o = await open(ctx, deps);
  return o && { o, form };
}

/** Signed in, allowed this scope (else 403 + audit) and allowed to send notices at all. */
async function open(ctx: RouterContext, deps: DashboardDeps): Promise<Open | undefined> {
  const user = await currentUser(ctx, deps.sessions);
  if (!user) return void ctx.redirect('/dashboard/login');
  const now = deps.services.clock.now();
  const key = ctx.params.scope;
  if (!mayOpen(user.staff, key)) return void (await refuse(ctx, user.staff, key, now));
  const scope = await loadScope(key);
  if (!scope) return undefined;
  ctx.set('cache-control', 'no-store');
  if (!mayBroadcast(user.staff)) {
    ctx.status = 403;
    ctx.body = refusal('broadcast');
    return undefined;
  }
  return {
    user,
    scope,
    ctx: { actor: user.staff, now, channel: 'web', services: deps.services },
  };
}

/** The form's audience; an unknown value is a plain mistake (not a refusal). */
function audienceOf(form: URLSearchParams, known: SchoolRow[]): Audience | string {
  const group = ROLE_GROUPS.find((g) => g.value === form.get('roles'));
  if (!group) return '请选择通知对象。';
  const grade = Number(form.get('grade') || 0);
  if (!Number.isInteger(grade) || grade < 0 || grade >= GRADE_LABEL.length)
    return '请选择年级，或选「不限年级」。';
  const schools = [...new Set(form.getAll('school').filter(Boolean))];
  const chosen = known.filter((s) => schools.includes(s.code));
  if (chosen.length < schools.length) return '所选学校不在花名册里，请刷新页面后重选。';
  if (grade && !gradesOfSchools(chosen.length ? chosen : known).includes(grade))
    return `所选学校没有${GRADE_LABEL[grade]}，请重选年级，或选「不限年级」。`;
  return {
    schools: schools.length ? schools : 'all',
    roles: group.roles,
    ...(grade ? { grade } : {}),
  };
}

/** 预览: the draft written by the chat's operation, shown with 发送 and 取消; nothing is sent. */
async function preview(
  ctx: RouterContext,
  deps: DashboardDeps,
  o: Open,
  form: URLSearchParams,
): Promise<void> {
  const district = await loadScope('district');
  const asked = audienceOf(form, district?.schools ?? []);
  const content = (form.get('content') ?? '').trim();
  if (typeof asked === 'string') return show(ctx, deps, o, { message: asked, form });
  if (!content) return show(ctx, deps, o, { message: '请写上通知内容。', form });
  const scoped = scopeAudience(o.user.staff, asked);
  if ('refused' in scoped) return forbidden(ctx, o, scoped.refused);
  try {
    const draft = await writeDraft(o.ctx, { audience: scoped.audience, content, origin: 'web' });
    await show(ctx, deps, o, { draft });
  } catch (err) {
    if (!(err instanceof Answer)) throw err;
    await show(ctx, deps, o, { message: err.reply, form });
  }
}

/** A school the sender may not address (a principal's hand-made POST): 403 and audited. */
async function forbidden(ctx: RouterContext, o: Open, school: string): Promise<void> {
  await audit({
    actor: o.user.staff.userid,
    action: 'broadcast',
    target: school,
    channel: 'web',
    outcome: 'refused',
    at: o.ctx.now,
  });
  ctx.status = 403;
  ctx.type = 'html';
  ctx.body = `<p>${esc(refusal('broadcast'))}</p>`;
}

/** The notices this user may see, matching the keyword, as a dashboard table. */
async function record(o: Open, keyword: string): Promise<Table> {
  const filter = { ...noticeFilter(o.user.staff, keyword), status: { $in: SENT } };
  const rows = await Broadcast.find(filter).sort({ createdAt: -1, _id: -1 }).limit(SHOWN).lean();
  return {
    title: keyword ? `已发通知（含「${keyword}」）` : '已发通知',
    columns: [
      { header: '发送时间', kind: 'time' },
      { header: '发送人' },
      { header: '对象' },
      { header: '内容' },
      { header: '人数', kind: 'number', total: true },
      { header: '状态' },
      { header: '送达', kind: 'number', total: true },
      { header: '失败', kind: 'number', total: true },
      { header: '无效账号', kind: 'number', total: true },
    ],
    rows: rows.map((b) => [
      b.decidedAt ?? b.createdAt,
      b.senderName,
      b.audienceText,
      b.content,
      b.recipients?.length ?? b.count,
      STATUS[b.status],
      b.delivered ?? 0,
      b.failed ?? 0,
      b.invalid?.length ?? 0,
    ]),
    totals: `合计 ${rows.length} 条`,
  };
}

interface View {
  message?: string;
  draft?: Draft;
  form?: URLSearchParams;
}

async function show(ctx: RouterContext, deps: DashboardDeps, o: Open, v: View): Promise<void> {
  const q = String(ctx.query.q ?? '').trim();
  const base = `/dashboard/${encodeURIComponent(o.scope.key)}/${NOTICES}`;
  const csrf = deps.sessions.csrf(o.user.session);
  const table = await record(o, q);
  const xlsx = `${base}.xlsx${q ? `?q=${encodeURIComponent(q)}` : ''}`;
  const main = [
    v.message ? `<p class="note" data-testid="message">${esc(v.message)}</p>` : '',
    v.draft ? previewHtml(base, csrf, v.draft) : await formHtml(base, csrf, o, v.form),
    `<form method="get" action="${base}" class="search">
<input name="q" value="${esc(q)}" placeholder="按内容、对象或发送人查找" data-testid="q">
<button type="submit" data-testid="search">查找</button></form>`,
    tableHtml(table, xlsx),
  ].join('\n');
  ctx.type = 'html';
  ctx.body = await frame(
    { scope: o.scope, user: o.user, sessions: deps.sessions },
    { slug: NOTICES, title: '通知' },
    main,
  );
}

function previewHtml(base: string, csrf: string, d: Draft): string {
  const button = (choice: Choice, text: string) => `<form class="inline" method="post"
action="${base}/${choice}"><input type="hidden" name="csrf" value="${esc(csrf)}">
<input type="hidden" name="id" value="${esc(d.id)}">
<button type="submit" data-testid="${choice}">${text}</button></form>`;
  return `<section data-testid="preview"><h3>通知预览（尚未发出）</h3>
<p>对象：<strong data-testid="audience">${esc(d.audienceText)}</strong></p>
<p>人数：<strong data-testid="count">${d.count}</strong> 人</p>
<p>收到的内容：</p><pre class="text" data-testid="text">${esc(d.text)}</pre>
<p class="muted">确认无误请点「发送」；不发请点「取消」。点「发送」之前不会发给任何人。</p>
${button('send', '发送')} ${button('cancel', '取消')}</section>`;
}

/** The form: role group, schools (a principal's own, fixed), optional grade, the text. */
async function formHtml(
  base: string,
  csrf: string,
  o: Open,
  form?: URLSearchParams,
): Promise<string> {
  const district = canActOnSchool(o.user.staff, 'broadcastDistrict', '*');
  const all = (await loadScope('district'))?.schools ?? [];
  const here = o.scope.filter.schoolCode;
  const picked = new Set(form ? form.getAll('school') : here ? [here] : []);
  const schools = district
    ? `<fieldset><legend>学校（不选即全区）</legend>${all
        .map(
          (s) =>
            `<label><input type="checkbox" name="school" value="${esc(s.code)}"${
              picked.has(s.code) ? ' checked' : ''
            } data-testid="school-${esc(s.code)}"> ${esc(s.name)}</label>`,
        )
        .join(' ')}</fieldset>`
    : `<p>学校：<strong>${esc(o.scope.label)}</strong>
<input type="hidden" name="school" value="${esc(o.scope.key)}"></p>`;
  const option = (value: string, label: string, on: boolean) =>
    `<option value="${esc(value)}"${on ? ' selected' : ''}>${esc(label)}</option>`;
  const roles = ROLE_GROUPS.map((g) => option(g.value, g.label, form?.get('roles') === g.value));
  // Only the grades the chosen schools teach (a primary school: 一–六年级).
  const chosen = all.filter((s) => (district ? picked.has(s.code) : s.code === o.scope.key));
  const grades = [0, ...gradesOfSchools(chosen.length ? chosen : all)].map((i) =>
    option(
      i ? String(i) : '',
      i ? GRADE_LABEL[i] : '不限年级',
      (form?.get('grade') ?? '') === String(i || ''),
    ),
  );
  return `<section><h3>发通知</h3>
<form method="post" action="${base}/preview" data-testid="notice-form">
<input type="hidden" name="csrf" value="${esc(csrf)}">
${schools}
<p><label>对象 <select name="roles" data-testid="roles">${roles.join('')}</select></label>
<label>年级 <select name="grade" data-testid="grade">${grades.join('')}</select></label></p>
<p><textarea name="content" rows="4" maxlength="600" required data-testid="content"
placeholder="通知内容，600 字以内">${esc(form?.get('content') ?? '')}</textarea></p>
<button type="submit" data-testid="preview-button">预览</button>
<span class="muted">先预览人数和内容，确认后才会发出。</span></form></section>`;
}
