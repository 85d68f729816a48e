import { shown } from './xlsx';
import { totalsRow, type Table } from './table';

/** Server-rendered pages: plain HTML, Chinese, readable on a phone; no framework. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2937}
header{background:#0f766e;color:#fff;padding:10px 14px;display:flex;flex-wrap:wrap;gap:8px;
align-items:center;justify-content:space-between}
header a,header button{color:#fff}
nav{display:flex;flex-wrap:wrap;gap:4px;padding:8px 10px;background:#f0fdfa}
nav a{padding:6px 10px;border-radius:6px;text-decoration:none;color:#0f766e}
nav a.on{background:#0f766e;color:#fff}
main{padding:10px 14px;max-width:1100px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;margin:8px 0 4px;font-size:14px;min-width:100%}
th,td{border:1px solid #d1d5db;padding:4px 8px;text-align:left;white-space:nowrap}
th{background:#f3f4f6}td.n{text-align:right}tr.total td{font-weight:bold;background:#f9fafb}
.chart{width:100%;height:320px}
.muted{color:#6b7280;font-size:13px}
form.inline{display:inline}
button{font:inherit;cursor:pointer}
.note{background:#fef9c3;padding:8px 10px;border-radius:6px}
pre.text{white-space:pre-wrap;background:#f9fafb;padding:8px;border:1px solid #e5e7eb}
textarea{width:100%;box-sizing:border-box;font:inherit}
fieldset label{display:inline-block;margin:2px 8px 2px 0}
form.search{margin:14px 0 0}
`;

export function layout(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · 保学</title><style>${STYLE}</style>${head}</head>
<body>${body}</body></html>`;
}

export function tableHtml(t: Table, xlsxUrl: string): string {
  const head = t.columns.map((c) => `<th>${esc(c.header)}</th>`).join('');
  const row = (cells: Table['rows'][number], cls = '') =>
    `<tr${cls}>${cells
      .map((v, i) => {
        const c = t.columns[i];
        const num = c?.kind === 'number' || c?.kind === 'percent';
        return `<td${num ? ' class="n"' : ''}>${esc(shown(v, c))}</td>`;
      })
      .join('')}</tr>`;
  const totals = totalsRow(t);
  const body = t.rows.length
    ? t.rows.map((r) => row(r)).join('')
    : `<tr><td colspan="${t.columns.length}">暂无</td></tr>`;
  return `<section><h3>${esc(t.title)}</h3>
<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}
${totals && t.rows.length ? row(totals, ' class="total"') : ''}</tbody></table></div>
<a href="${esc(xlsxUrl)}" download>下载 Excel</a></section>`;
}

export function chartHtml(option: Record<string, unknown>): string {
  // JSON inside <script type="application/json">: "<" escaped so no text can close the tag.
  const json = JSON.stringify(option).replace(/</g, '\\u003c');
  return `<div id="chart" class="chart"></div>
<script type="application/json" id="chart-data">${json}</script>
<script src="/dashboard/assets/echarts.min.js"></script>
<script src="/dashboard/assets/chart.js"></script>`;
}

/** Draws #chart from #chart-data (served as a file: no inline script). */
export const CHART_JS = `(function(){var el=document.getElementById('chart');
var data=document.getElementById('chart-data');if(!el||!data||!window.echarts)return;
var c=window.echarts.init(el);c.setOption(JSON.parse(data.textContent));
window.addEventListener('resize',function(){c.resize();});})();`;
