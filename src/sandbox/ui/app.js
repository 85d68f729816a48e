// 保学沙盒页面：左边选人，中间是这个人的企业微信，右边是沙盒时钟。只用浏览器自带的功能，不依赖任何外部资源。
(() => {
  const $ = (id) => document.getElementById(id);
  // lastJson: skip re-rendering what has not changed, so a button never moves under the cursor.
  const state = { user: null, name: '', roles: [], lastCount: -1, lastJson: '', peopleJson: '' };
  const api = async (path, body) => {
    const res = await fetch(
      `/sandbox/api/${path}`,
      body === undefined
        ? {}
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          },
    );
    if (!res.ok)
      throw new Error((await res.json().catch(() => ({}))).error || `HTTP ${res.status}`);
    return res.json();
  };
  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const c of children) node.append(c);
    return node;
  };
  const fmt = (iso) =>
    new Date(iso).toLocaleString('zh-CN', {
      timeZone: 'Asia/Shanghai',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });

  async function loadPeople() {
    const groups = await api('people');
    const json = JSON.stringify([groups, state.user]);
    if (json === state.peopleJson) return;
    state.peopleJson = json;
    const box = $('people');
    box.replaceChildren(
      ...groups.map((g) =>
        el(
          'div',
          { className: 'group' },
          el('h3', { textContent: g.school === g.role ? g.role : `${g.school} · ${g.role}` }),
          ...g.people.map((p) => {
            const b = el(
              'button',
              { className: `person${p.userid === state.user ? ' active' : ''}`, type: 'button' },
              el('span', {}, p.name, el('small', { textContent: p.roles.join('；') })),
            );
            b.dataset.user = p.userid;
            b.dataset.testid = `person-${p.userid}`;
            if (p.unread && p.userid !== state.user)
              b.append(el('span', { className: 'badge', textContent: String(p.unread) }));
            b.onclick = () => select(p);
            return b;
          }),
        ),
      ),
    );
  }

  async function select(p) {
    state.user = p.userid;
    state.name = p.name;
    state.roles = p.roles;
    state.lastCount = -1;
    $('who').textContent = p.name;
    $('who-roles').textContent = p.roles.join('；');
    $('input').disabled = $('send').disabled = false;
    $('input').focus();
    await api('read', { user: p.userid });
    await Promise.all([loadMessages(), loadPeople()]);
  }

  function renderCard(m) {
    const c = m.card || {};
    const lines = el('dl');
    for (const h of c.horizontal_content_list || [])
      lines.append(el('dt', { textContent: h.keyname }), el('dd', { textContent: h.value }));
    const card = el(
      'div',
      { className: 'card' },
      el('div', { className: 'source', textContent: c.source?.desc || '保学' }),
      el('div', { className: 'title', textContent: c.main_title?.title || '' }),
      el('div', { className: 'desc', textContent: c.main_title?.desc || '' }),
      lines,
    );
    card.dataset.testid = 'card';
    if (m.updatedCard) {
      card.append(
        el('div', { className: 'done', textContent: m.updatedCard.replaceName || '已处理' }),
      );
    } else {
      const buttons = el('div', { className: 'buttons' });
      for (const b of c.button_list || []) {
        const btn = el('button', { type: 'button', textContent: b.text });
        btn.onclick = async () => {
          btn.disabled = true;
          await fetch('/sandbox/say', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              as: state.user,
              event: 'template_card_event',
              key: b.key,
              taskId: c.task_id,
            }),
          });
          setTimeout(loadMessages, 300);
        };
        buttons.append(btn);
      }
      card.append(buttons);
    }
    return card;
  }

  // A file message (导出 的工作簿): name, size and a download link, as a phone shows it.
  function renderFile(f) {
    const kb = Math.max(1, Math.round(f.size / 1024));
    const link = el('a', {
      className: 'download',
      href: `/sandbox/api/media/${encodeURIComponent(f.mediaId)}`,
      textContent: '下载',
    });
    link.setAttribute('download', f.filename);
    const node = el(
      'div',
      { className: 'file' },
      el('div', { className: 'file-icon', textContent: 'XLS' }),
      el(
        'div',
        { className: 'file-info' },
        el('div', { className: 'file-name', textContent: f.filename }),
        el('div', { className: 'file-size', textContent: `${kb} KB · 文件` }),
      ),
      link,
    );
    node.dataset.testid = 'file';
    return node;
  }

  async function loadMessages() {
    if (!state.user) return;
    const list = await api(`messages?user=${encodeURIComponent(state.user)}`);
    const json = JSON.stringify([state.user, list.map((m) => [m._id, m.updatedCard, m.read])]);
    if (json === state.lastJson) return;
    state.lastJson = json;
    const box = $('messages');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const nodes = [];
    let lastTime = '';
    for (const m of list) {
      const t = fmt(m.at);
      if (t !== lastTime) {
        nodes.push(el('div', { className: 'time', textContent: t }));
        lastTime = t;
      }
      if (m.msgtype === 'user')
        nodes.push(el('div', { className: 'bubble me', textContent: m.content }));
      else if (m.msgtype === 'template_card') nodes.push(renderCard(m));
      else if (m.msgtype === 'file' && m.file) nodes.push(renderFile(m.file));
      else nodes.push(el('div', { className: 'bubble bot', textContent: m.content || '' }));
    }
    if (!list.length)
      nodes.push(
        el('div', { className: 'time', textContent: '还没有消息。发送「帮助」看看保学能做什么。' }),
      );
    box.replaceChildren(...nodes);
    if (atBottom || list.length !== state.lastCount) box.scrollTop = box.scrollHeight;
    if (list.some((m) => !m.read)) api('read', { user: state.user }).catch(() => {});
    state.lastCount = list.length;
  }

  async function loadClock(view) {
    const c = view || (await api('clock'));
    $('now').textContent = c.label;
    $('jobs').replaceChildren(
      ...(c.jobs.length
        ? c.jobs.map((j) => el('li', { textContent: `${j.label}　${j.what}` }))
        : [el('li', { className: 'muted', textContent: '暂无' })]),
    );
    if (!$('jump-at').value)
      $('jump-at').value = new Date(new Date(c.now).getTime() + 8 * 3600e3 + 86400e3)
        .toISOString()
        .slice(0, 16);
  }

  async function advance(to) {
    const buttons = document.querySelectorAll('.clock button');
    buttons.forEach((b) => {
      b.disabled = true;
    });
    try {
      const view = await api('clock', { to });
      await loadClock(view);
      await Promise.all([loadMessages(), loadPeople()]);
    } catch (err) {
      alert(`快进失败：${err.message}`);
    } finally {
      buttons.forEach((b) => {
        b.disabled = false;
      });
    }
  }

  $('composer').onsubmit = async (e) => {
    e.preventDefault();
    const text = $('input').value.trim();
    if (!text || !state.user) return;
    $('input').value = '';
    const res = await fetch('/sandbox/say', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ as: state.user, text }),
    });
    await loadMessages();
    // Anything the server refused is said on the phone, never dropped silently.
    if (!res.ok) {
      const why =
        (await res.json().catch(() => ({}))).error || `发送失败（${res.status}），请重试。`;
      $('messages').append(el('div', { className: 'bubble bot', textContent: why }));
    }
  };
  for (const b of document.querySelectorAll('[data-to]')) b.onclick = () => advance(b.dataset.to);
  $('jump').onsubmit = (e) => {
    e.preventDefault();
    if ($('jump-at').value) advance(`${$('jump-at').value}:00+08:00`);
  };
  $('reset').onclick = async () => {
    if (!confirm('重置会清空所有记录，恢复演示学区。确定吗？')) return;
    await api('reset', {});
    state.user = null;
    $('who').textContent = '请先在左侧选择一个人';
    $('who-roles').textContent = '';
    $('messages').replaceChildren();
    await Promise.all([loadPeople(), loadClock()]);
  };
  $('demo').onclick = async () => {
    if (!confirm('演示会先重置为演示学区（清空现有记录），再播放一周的流程。确定吗？')) return;
    $('demo').disabled = true;
    $('log').textContent = '演示进行中……';
    try {
      const { lines } = await api('demo', {});
      $('log').textContent = lines.join('\n');
      state.user = null;
      await Promise.all([loadPeople(), loadClock()]);
    } catch (err) {
      $('log').textContent = `演示失败：${err.message}`;
    } finally {
      $('demo').disabled = false;
    }
  };
  $('quick').replaceChildren(
    ...['帮助', '待办', '我的学生', '我是谁'].map((t) => {
      const b = el('button', { type: 'button', textContent: t });
      b.onclick = () => {
        if (state.user) {
          $('input').value = t;
          $('composer').requestSubmit();
        }
      };
      return b;
    }),
  );

  loadPeople();
  loadClock();
  setInterval(() => {
    loadPeople().catch(() => {});
    loadMessages().catch(() => {});
    loadClock().catch(() => {});
  }, 2000);
})();
