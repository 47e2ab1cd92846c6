// The live view's page: renders each snapshot the server sends (server-sent events, about one a
// second). Plain DOM, no framework; every text from the pipeline goes in as text, never as HTML
// (a dead letter's error message is whatever a bad record made of it).
'use strict';

const COLOURS = ['#2f80ed', '#eb5757', '#27ae60', '#f2994a', '#9b51e0', '#00a3a3'];
const colourOf = new Map();
const colour = (name) => {
  if (!colourOf.has(name)) colourOf.set(name, COLOURS[colourOf.size % COLOURS.length]);
  return colourOf.get(name);
};

const $ = (selector) => document.querySelector(selector);

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'style') Object.assign(node.style, value);
    else if (name === 'onclick') node.addEventListener('click', value);
    else if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const number = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en'));
const time = (at) => new Date(at).toLocaleTimeString('en-GB');

function renderMissing(missing) {
  const box = $('[data-missing]');
  box.hidden = missing.length === 0;
  box.replaceChildren(
    el('strong', {}, 'Not reachable right now (figures below are the last known): '),
    ...missing.map((line) => el('div', {}, line)),
  );
}

function renderApps(apps) {
  $('[data-apps]').replaceChildren(
    ...apps.map((app) =>
      el(
        'div',
        {
          class: `chip ${app.ready === true ? 'ok' : app.ready === false ? 'down' : 'gone'}`,
          'data-app': app.name,
        },
        el('strong', {}, app.name),
        ` ${app.ready === true ? 'ready' : app.detail}`,
        app.producer
          ? ` · ${number(app.producer.perS)}/s · sent ${number(app.producer.sent)} · errors ${number(app.producer.errors)}`
          : '',
      ),
    ),
  );
}

function renderLanes(topic) {
  $('[data-topic]').textContent = topic ? topic.name : '…';
  if (!topic) return;
  $('[data-lanes]').replaceChildren(
    ...topic.lanes.map((lane) => {
      const span = Math.max(1, lane.logEnd - lane.logStart);
      const committed = lane.committed ?? lane.logStart;
      const donePct = (100 * Math.max(0, committed - lane.logStart)) / span;
      const lagPct = (100 * lane.lag) / span;
      const owner = lane.owner ?? 'no owner';
      return el(
        'div',
        {
          class: 'lane',
          'data-lane': lane.partition,
          'data-log-start': lane.logStart,
          'data-log-end': lane.logEnd,
          'data-committed': lane.committed ?? '',
          'data-lag': lane.lag,
          'data-owner': lane.owner ?? '',
        },
        el(
          'div',
          { class: 'lane-name' },
          `partition ${lane.partition}`,
          el('small', {}, `leader node ${lane.leader}`),
        ),
        el(
          'div',
          { class: 'bar' },
          el('div', {
            class: 'done',
            style: { width: `${donePct}%`, background: lane.owner ? colour(lane.owner) : '#bbb' },
          }),
          el('div', { class: 'lag', style: { width: `${lagPct}%` } }),
        ),
        el(
          'div',
          { class: 'lane-figures' },
          `log-start ${number(lane.logStart)} · committed ${number(lane.committed)} · log-end ${number(lane.logEnd)} · `,
          el('strong', {}, `lag ${number(lane.lag)}`),
          ` · in ${number(lane.inPerS)}/s · out ${number(lane.outPerS)}/s · `,
          el('span', { class: 'owner', style: { color: lane.owner ? colour(lane.owner) : '#888' } }, owner),
        ),
      );
    }),
  );
}

function renderGroup(group, controls) {
  $('[data-group]').textContent = group ? group.id : '…';
  $('[data-group-state]').textContent = group ? group.state : '…';
  if (group) {
    $('[data-members]').replaceChildren(
      ...(group.members.length === 0 ? [el('p', { class: 'note' }, 'no members: nothing consumes')] : []),
      ...group.members.map((member) =>
        el(
          'div',
          { class: 'chip', 'data-member': member.name, style: { borderColor: colour(member.name) } },
          el('span', { class: 'dot', style: { background: colour(member.name) } }),
          el('strong', {}, member.name),
          ` on ${member.host} · partitions [${member.partitions.join(', ')}]`,
        ),
      ),
    );
  }
  $('[data-consumer-buttons]').replaceChildren(
    ...controls.consumers.map((consumer) =>
      el(
        'button',
        {
          'data-consumer': consumer.name,
          onclick: () => act(`consumers/${consumer.name}`, { run: !consumer.running }),
        },
        consumer.running ? `stop ${consumer.name}` : `start ${consumer.name}`,
      ),
    ),
  );
  $('[data-broker-buttons]').replaceChildren(
    ...controls.brokers.map((broker) =>
      el(
        'button',
        {
          'data-broker': broker.node,
          onclick: () => act(`brokers/${broker.node}`, { run: !broker.running }),
        },
        broker.running ? `stop Kafka node ${broker.node}` : `start Kafka node ${broker.node}`,
      ),
    ),
  );
}

function renderDatabase(database, history) {
  if (database) {
    $('[data-rows]').textContent = number(database.rows);
    $('[data-rows]').dataset.rows = database.rows;
    $('[data-stored-rate]').textContent = number(database.storedPerS);
    $('[data-p50]').textContent = database.p50Ms === null ? '–' : `${database.p50Ms} ms`;
    $('[data-p99]').textContent = database.p99Ms === null ? '–' : `${database.p99Ms} ms`;
    $('[data-recent]').replaceChildren(
      ...database.recent.map((order) =>
        el(
          'tr',
          {},
          el('td', {}, order.orderId),
          el('td', {}, order.customerId),
          el('td', {}, '→ ', el('strong', {}, `partition ${order.partition}`)),
        ),
      ),
    );
  }
  for (const svg of document.querySelectorAll('[data-chart]')) {
    const values = history.map((point) => point[svg.dataset.chart] ?? 0);
    const max = Math.max(1, ...values);
    const points = values.map(
      (v, i) => `${(i * 120) / Math.max(1, values.length - 1)},${38 - (v / max) * 34}`,
    );
    svg.replaceChildren();
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', points.join(' '));
    const label = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    label.setAttribute('x', '2');
    label.setAttribute('y', '9');
    label.textContent = `max ${number(Math.round(max))}`;
    svg.append(line, label);
  }
}

function renderDeadLetters(letters) {
  $('[data-dlq]').replaceChildren(
    ...(letters.length === 0
      ? [el('tr', {}, el('td', { colspan: 4, class: 'note' }, 'no dead letters'))]
      : []),
    ...letters.map((letter) =>
      el(
        'tr',
        { 'data-dlq-reason': letter.reason },
        el('td', {}, el('span', { class: `reason ${letter.reason}` }, letter.reason)),
        el('td', { class: 'error' }, letter.error),
        el('td', {}, `${letter.original.topic} / ${letter.original.partition} / ${letter.original.offset}`),
        el('td', {}, letter.orderId ?? '–'),
      ),
    ),
  );
}

function renderTimeline(timeline) {
  $('[data-timeline]').replaceChildren(
    ...timeline.map((entry) =>
      el('li', { class: entry.kind }, el('time', {}, time(entry.at)), ` ${entry.text}`),
    ),
  );
}

function render(snapshot) {
  renderMissing(snapshot.missing);
  renderApps(snapshot.apps);
  renderLanes(snapshot.topic);
  renderGroup(snapshot.group, snapshot.controls);
  renderDatabase(snapshot.database, snapshot.history);
  renderDeadLetters(snapshot.deadLetters);
  renderTimeline(snapshot.timeline);
  $('#connection').textContent = `updated ${time(snapshot.at)}`;
}

async function act(path, body = {}) {
  const said = $('[data-said]');
  said.textContent = '…';
  try {
    const res = await fetch(`actions/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    said.textContent = res.ok ? answer.said : `failed: ${answer.message}`;
  } catch (error) {
    said.textContent = `failed: ${error.message}`;
  }
}

for (const button of document.querySelectorAll('[data-send]')) {
  button.addEventListener('click', () => act(`send/${button.dataset.send}`));
}

// EventSource reconnects by itself when the view's server restarts.
const events = new EventSource('events');
events.onmessage = (event) => render(JSON.parse(event.data));
events.onerror = () => {
  $('#connection').textContent = 'the view server is not answering: reconnecting…';
};
