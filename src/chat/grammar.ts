import { normalize, trimLeadingSeparators } from './normalize';
import { smallNumber } from '../lib/cn-number';
import { pinyinOf } from '../domain/resolve';

/**
 * The chat grammar (issue #14): text → command + arguments, a pure function of the text, the
 * command table and (optionally) the student names the sender may use. Teachers type the name
 * before or after the verb (「缺勤 毛一鸣」「毛一鸣 缺勤」「毛一鸣今天没来」), with spaces inside a
 * name (「缺勤 黎 嘉懿」), Chinese numerals (「请假 邹欣妍 两天」), greetings and thanks.
 */
export interface CommandWords {
  name: string;
  aliases: string[];
  summary?: string;
  usage?: string;
}

export type Parsed =
  | { kind: 'command'; command: string; args: string }
  | { kind: 'greeting' }
  | { kind: 'thanks' }
  | { kind: 'empty' }
  | { kind: 'unknown'; suggestions: string[] };

const GREETING =
  /^(你好|您好|你好呀|您好呀|哈喽|嗨|hi|hello|在吗|在不在|早|早上好|上午好|下午好|晚上好|老师好)$/i;
const THANKS =
  /^(谢谢|谢谢你|谢谢您|谢啦|谢了|多谢|感谢|辛苦了|辛苦|好的|好|收到|知道了|明白|明白了|ok|嗯|嗯嗯)$/i;
/** Words a teacher puts before the sentence that mean nothing to the parser. */
const FILLER =
  /^(麻烦|请帮我报|请帮我|帮我报一下|帮我报|帮我|请|我要|我想|报一下|报告一下|报告|登记一下|登记|报)\s*/;
/** Time words that may sit between a name and a verb (「毛一鸣今天上午没来」). */
const TIME =
  '(今天|今日|昨天|昨日|前天|上午|下午|全天|半天|整天|一天|早上|今早|' +
  '(?:上|本|这)?(?:周|星期|礼拜)[一二三四五六日天]|\\d{1,2}月\\d{1,2}[日号])';
const TIME_TAIL = new RegExp(`^(.*?)((?:${TIME})+)$`);
const TIME_HEAD = new RegExp(`^((?:${TIME})+)\\s*`);
/** Particles around a name-first sentence: 「毛一鸣又没来」「毛一鸣的进展」「毛一鸣到校了」. */
const PARTICLE_TAIL = /(的|又|还是|也|都|一直|已经)$/;
const PARTICLE_END = /(了|啦|呢|吧|哈)+$/;
/** Not a name: 「学生缺勤」「孩子没来」 say nothing about which child. */
const NOT_A_NAME = /^(学生|孩子|小孩|同学|有人|有学生|这个学生|那个学生|他|她|他们|她们)$/;
/** A question about how: 「怎么请假」「学生缺勤怎么报」「这个系统怎么用」 → 帮助. */
const HOW = /^(怎么|如何|怎样|咋)|(怎么|如何|怎样|咋)(报|写|用|办|弄|操作|登记|发|填)?$/;
/** A how-word inside the sentence: 「请问怎么报缺勤」「老师如何登记请假」. */
const HOW_INSIDE = /(怎么|如何|怎样|咋)/;
/** What may stand before it in a question: polite openers, or the command word itself. */
const ASKING = /^(请问|请教|问一?下|我?想问一?下?|您好|你好|老师|我们?|学生|孩子|要|的|一下)*/;
const STUDENT_NO = /^[A-Za-z]?\d{8,19}[0-9Xx]?$/;

/** Commands about one student, which may be typed name first (their usage names 学生/姓名). */
function aboutAStudent(c: CommandWords): boolean {
  return /^\S+ <(学生|姓名)/.test(c.usage ?? '');
}

function words(commands: CommandWords[]): { w: string; cmd: CommandWords }[] {
  return commands
    .flatMap((cmd) => [cmd.name, ...cmd.aliases].map((w) => ({ w, cmd })))
    .sort((a, b) => b.w.length - a.w.length);
}

/** Verb first: the longest command word at the start ("缺勤张三" works like "缺勤 张三"). */
function verbFirst(
  t: string,
  commands: CommandWords[],
): { cmd: CommandWords; rest: string } | null {
  for (const { w, cmd } of words(commands)) {
    if (!t.toLowerCase().startsWith(w.toLowerCase())) continue;
    const rest = t.slice(w.length);
    // ASCII aliases must be whole words ("helpme" is not "help").
    if (/^[a-z]/i.test(w) && rest && !/^\s/.test(rest)) continue;
    return { cmd, rest: trimLeadingSeparators(rest).trim() };
  }
  return null;
}

/** A student as typed before a verb: a name in scope, a 学籍号, or two to four Han characters. */
function looksLikeStudent(s: string, names: string[]): boolean {
  const joined = s.replace(/\s+/g, '');
  if (NOT_A_NAME.test(joined)) return false;
  if (names.includes(joined) || STUDENT_NO.test(joined)) return true;
  return /^\p{Script=Han}{2,4}$/u.test(joined);
}

/** Name first: 「毛一鸣 缺勤」「毛一鸣今天没来」「付诗涵没到校，发烧」. */
function nameFirst(
  t: string,
  commands: CommandWords[],
  names: string[],
): { cmd: CommandWords; args: string } | null {
  let best: { at: number; w: string; cmd: CommandWords } | null = null;
  for (const { w, cmd } of words(commands.filter(aboutAStudent))) {
    if ([...w].length < 2) continue;
    const at = t.indexOf(w, 1);
    if (at > 0 && (!best || at < best.at)) best = { at, w, cmd };
  }
  if (!best) return null;
  let before = trimSeparators(t.slice(0, best.at)).replace(PARTICLE_TAIL, '');
  const after = trimSeparators(t.slice(best.at + best.w.length)).replace(PARTICLE_END, '');
  const time = TIME_TAIL.exec(before.replace(/\s+/g, ''));
  let when = '';
  const nameOnly = names.includes(before.replace(/\s+/g, ''));
  if (time && time[1] && !nameOnly) {
    before = time[1];
    when = time[2];
  }
  before = before.replace(PARTICLE_TAIL, '');
  if (!looksLikeStudent(before, names)) return null;
  const args = [before.replace(/\s+/g, ''), splitTimes(when), after].filter(Boolean).join(' ');
  return { cmd: best.cmd, args };
}

/** 「今天上午」→「今天 上午」 so the optional parts parse as two. */
function splitTimes(s: string): string {
  const out: string[] = [];
  let rest = s;
  const one = new RegExp(`^${TIME}`);
  for (let m = one.exec(rest); m && rest; m = one.exec(rest)) {
    out.push(m[0]);
    rest = rest.slice(m[0].length);
  }
  return [...out, rest].filter(Boolean).join(' ');
}

function trimSeparators(s: string): string {
  return s.replace(/^[\s，,、；;：:]+|[\s，,、；;：:]+$/g, '');
}

/** 「黎 嘉懿」→「黎嘉懿」 when the joined form is a name in scope. */
export function joinSpacedName(args: string, names: string[]): string {
  const parts = args.split(' ');
  if (parts.length < 2) return args;
  for (let n = Math.min(3, parts.length); n >= 2; n--) {
    const joined = parts.slice(0, n).join('');
    if (names.includes(joined)) return [joined, ...parts.slice(n)].join(' ');
  }
  return args;
}

/** 「请假 邹欣妍 两天」: a Chinese-numeral length becomes digits (「2天」). */
function leaveDays(args: string): string {
  return args.replace(
    /(^|\s)([零一二两三四五六七八九十]{1,3})个?(天|上学日)(?=\s|$)/g,
    (m, s, n, u) => {
      const v = smallNumber(n);
      return v ? `${s}${v}${u}` : m;
    },
  );
}

/** 「邹欣妍请两天假」「邹欣妍请了3天病假」 → 请假 邹欣妍 2天 病. */
function leavePhrase(t: string): string | null {
  const m = /^(.+?)请了?(\S{1,3}?)(天|上学日)(病|事)?假(.*)$/.exec(t);
  if (!m) return null;
  return `请假 ${m[1].trim()} ${m[2]}${m[3]} ${m[4] ? `${m[4]}假 ` : ''}${m[5]}`.trim();
}

function finish(cmd: CommandWords, args: string, names: string[]): Parsed {
  let a = args.replace(/\s+/g, ' ').trim();
  if (names.length) a = joinSpacedName(a, names);
  if (cmd.name === '请假') a = leaveDays(a);
  return { kind: 'command', command: cmd.name, args: a };
}

/**
 * The dispatcher's text → command step. Tries, in order: greeting/thanks, verb first, verb
 * first after a filler word, a leave phrase, name first; otherwise the closest commands.
 */
/**
 * A how-question: a how-word at the start or the end (「怎么请假」「缺勤怎么报」), or inside after
 * a polite opener or the command word (「请问怎么报缺勤」「缺勤如何撤销呢」); a sentence opening
 * with 请问 that names a command counts too. A report that merely contains 怎么 (「家访 张三
 * 怎么也联系不上」) is not one.
 */
function howQuestion(t: string, commands: CommandWords[]): boolean {
  if (HOW.test(t)) return true;
  const named = words(commands).find(({ w }) => [...w].length > 1 && t.includes(w));
  if (!named) return false;
  if (/^请问/.test(t)) return true;
  const m = HOW_INSIDE.exec(t);
  if (!m) return false;
  const before = t.slice(0, m.index).replace(ASKING, '');
  return !before || words(commands).some(({ w }) => w === before.replace(ASKING, ''));
}

/** Is this a question about how to do something (「请问怎么报缺勤」)? */
export function isHowQuestion(text: string, commands: CommandWords[]): boolean {
  return howQuestion(normalize(text).replace(/[，,。.！!？?～~]+/g, ''), commands);
}

export function parseCommand(text: string, commands: CommandWords[], names: string[] = []): Parsed {
  const t = normalize(text).replace(/[～~…]+$/, '');
  if (!t) return { kind: 'empty' };
  const bare = t.replace(/[，,。.！!～~]+/g, '');
  if (GREETING.test(bare) || (/^(你好|您好|老师好)/.test(bare) && bare.length <= 4))
    return { kind: 'greeting' };
  if (THANKS.test(bare) || /^谢谢/.test(bare)) return { kind: 'thanks' };
  if (howQuestion(bare.replace(/[？?]+/g, ''), commands)) return howTo(bare, commands);
  const direct = verbFirst(t, commands);
  if (direct) return finish(direct.cmd, direct.rest, names);
  const head = TIME_HEAD.exec(t);
  const body = head ? t.slice(head[0].length) : t;
  const stripped = body.replace(FILLER, '');
  const when = head ? ` ${splitTimes(head[1])}` : '';
  const filler = verbFirst(stripped, commands);
  if (filler && stripped !== t) return finish(filler.cmd, `${filler.rest}${when}`, names);
  const leave = leavePhrase(stripped);
  const viaLeave = leave ? verbFirst(leave, commands) : null;
  if (viaLeave) return finish(viaLeave.cmd, `${viaLeave.rest}${when}`, names);
  const named = nameFirst(stripped, commands, names);
  if (named) return finish(named.cmd, `${named.args}${when}`, names);
  return { kind: 'unknown', suggestions: closest(t, commands) };
}

/** 「学生缺勤怎么报」→ 帮助 缺勤; no command named → 帮助. */
function howTo(t: string, commands: CommandWords[]): Parsed {
  let best: { at: number; name: string } | undefined;
  for (const { w, cmd } of words(commands)) {
    const at = [...w].length > 1 ? t.indexOf(w) : -1;
    if (at >= 0 && (!best || at < best.at)) best = { at, name: cmd.name };
  }
  const args = best && best.name !== '帮助' ? best.name : '';
  return { kind: 'command', command: '帮助', args };
}

/** Emoji only (👍, 🙏): a reaction, not a message to parse. */
const EMOJI_ONLY = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F\u200D\s]+$/u;

/** Thanks, a greeting or an emoji: chit-chat that answers no question. */
export function chitChat(text: string): 'thanks' | 'greeting' | 'emoji' | undefined {
  const t = normalize(text);
  if (t && EMOJI_ONLY.test(t)) return 'emoji';
  const parsed = parseCommand(t, []);
  return parsed.kind === 'thanks' || parsed.kind === 'greeting' ? parsed.kind : undefined;
}

/**
 * A command word typed with one wrong character (「家方」→ 家访, 「缺琴」→ 缺勤): same length, one
 * character different, and for two-character words the wrong one sounds alike. Undefined when
 * the token is not that close to any command, or is a command word itself.
 */
export function nearVerb(token: string, commands: CommandWords[]): string | undefined {
  const x = [...token];
  if (x.length < 2 || !/^\p{Script=Han}+$/u.test(token)) return undefined;
  for (const { w, cmd } of words(commands)) {
    const y = [...w];
    if (y.length !== x.length) continue;
    const diff = x.flatMap((c, i) => (c === y[i] ? [] : [i]));
    if (diff.length !== 1) continue; // the word itself is a command, not a typo of one
    if (x.length > 2 || pinyinOf(x[diff[0]]) === pinyinOf(y[diff[0]])) return cmd.name;
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length];
}

/**
 * The two or three commands closest to what was typed: the share of a command word's characters
 * found (or sounding alike, 「代办」→ 待办) at the start of the text, then the edit distance to it.
 * Nothing shared → none.
 */
export function closest(text: string, commands: CommandWords[], max = 3): string[] {
  const typed = [...text.replace(/\s+/g, '').toLowerCase()];
  const scored = new Map<string, { share: number; dist: number }>();
  for (const { w, cmd } of words(commands)) {
    const chars = [...w.toLowerCase()];
    const head = typed.slice(0, chars.length + 2).join('');
    const sounds = new Set([...head].map(pinyinOf));
    const hit = (c: string) => (head.includes(c) ? 1 : sounds.has(pinyinOf(c)) ? 0.9 : 0);
    const share = chars.reduce((sum, c) => sum + hit(c), 0) / chars.length;
    if (share < 0.5 || !/\p{Script=Han}/u.test(w)) continue;
    const dist = editDistance(w, typed.slice(0, chars.length).join(''));
    const prev = scored.get(cmd.name);
    if (!prev || share > prev.share || (share === prev.share && dist < prev.dist))
      scored.set(cmd.name, { share, dist });
  }
  return [...scored]
    .sort(([, a], [, b]) => b.share - a.share || a.dist - b.dist)
    .slice(0, max)
    .map(([name]) => name);
}

/** The answer to a numbered choice: 2, ２, 第二个, 第2个, 选2, 2号 (undefined when it is not one). */
export function choiceNumber(text: string): number | undefined {
  const t = normalize(text).replace(/\s+/g, '');
  const digits = /^(?:选|选择)?第?(\d{1,2})(?:个|号|位)?$/.exec(t);
  if (digits) return Number(digits[1]);
  const han = /^(?:选|选择)?第([一二三四五六七八九十]{1,2})(?:个|号|位)?$/.exec(t);
  return han ? smallNumber(han[1]) : undefined;
}
