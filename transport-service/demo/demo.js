// The development demo page: connects as a user with the browser client, shows the event bus, sends notifications
// over REST and lists every RSocket frame decoded. Plain ES module, no build step; the client comes from
// /demo/web-client.mjs (the web-client package's ESM bundle).
import { getNotificationClient } from '/demo/web-client.mjs';

const params = new URLSearchParams(location.search);
const user = params.get('user') ?? 'alice';
const $ = (id) => document.getElementById(id);
$('user').value = user;
$('to').value = user;

$('who').addEventListener('submit', (event) => {
  event.preventDefault();
  // One client per page (a singleton): switching users loads the page anew, which puts this tab in that user's group.
  location.search = `?user=${encodeURIComponent($('user').value)}`;
});

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rsocket`;
// Optional query parameters for trying things out: token (JWT identity mode), keepAlive and lifetime in ms, and
// share=0 for a connection of this tab's own (by default the tabs of one user share one connection).
const token = params.get('token');
const timing = Object.fromEntries(['keepAlive', 'lifetime'].filter((key) => params.has(key)).map((key) => [key, Number(params.get(key))]));
const identity = token === null ? { userId: user } : { token: () => token };
const sharing = params.get('share') === '0' ? { shareAcrossTabs: false } : {};
const client = getNotificationClient({ url: wsUrl, ...identity, ...timing, ...sharing, debug: true });

const ROLES = {
  leader: 'leader: this tab holds the connection',
  follower: 'follower: the connection is in another tab',
  own: 'own connection',
  none: 'not connected',
};
client.role$.subscribe((role) => {
  $('role').dataset.role = role;
  $('role').textContent = ROLES[role] ?? role;
});

client.state$.subscribe(({ state, reason, message, session }) => {
  const badge = $('state');
  badge.dataset.state = state;
  badge.textContent = reason ? `${state} [${reason}]` : session ? `${state} to ${session.instance}` : state;
  badge.title = message ?? '';
});

client.notifications$.subscribe((notification) => addNotification(notification, false));
client.events$.subscribe((event) => {
  if (event.kind === 'recovery-incomplete') addNotification({ id: null, type: '$recovery.incomplete', payload: event.payload }, true);
  if (event.kind === 'error' || event.kind === 'bad-payload') addNotification({ id: null, type: `client ${event.kind}`, payload: event }, true);
});
client.frames$.subscribe(addFrame);
client.connect();

function addNotification(notification, control) {
  const item = document.createElement('li');
  if (control) item.className = 'control';
  const head = document.createElement('div');
  head.innerHTML = '<code></code> <strong></strong> <small></small>';
  head.children[0].textContent = notification.id ?? 'null';
  head.children[1].textContent = notification.type;
  head.children[2].textContent = notification.createdAt ?? '';
  const body = document.createElement('code');
  body.textContent = JSON.stringify(notification.payload);
  item.append(head, body);
  if (notification.receipt === true) item.append(' ', markReadButton(notification.id));
  $('notifications').prepend(item);
}

// A notification sent with "receipt": true was confirmed `delivered` by the client once this page had it; `read` is
// the app's to say, here with a button (the leader tab sends it, whichever tab it is clicked in).
function markReadButton(id) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'mark-read';
  button.textContent = 'mark read';
  button.addEventListener('click', () => {
    client.markRead(id);
    button.disabled = true;
    button.textContent = 'marked read';
  });
  return button;
}

function addFrame(frame) {
  const row = document.createElement('tr');
  row.className = `${frame.direction} ${frame.type}`;
  const details = [frame.fields ? JSON.stringify(frame.fields) : '', frame.metadata === undefined ? '' : JSON.stringify(frame.metadata)];
  const cells = [
    new Date(frame.at).toISOString().slice(11, 23),
    frame.direction,
    frame.type,
    frame.streamId === undefined ? '' : String(frame.streamId),
    frame.flags.join(' '),
    details.filter(Boolean).join(' '),
    frame.problem ?? (frame.data === undefined ? '' : typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data)),
  ];
  for (const text of cells) {
    const cell = document.createElement('td');
    cell.textContent = text;
    row.append(cell);
  }
  const body = document.querySelector('#frames tbody');
  body.append(row);
  body.scrollTop = body.scrollHeight;
}

$('send').addEventListener('submit', async (event) => {
  event.preventDefault();
  let payload;
  try {
    payload = JSON.parse($('payload').value);
  } catch (error) {
    $('send-result').textContent = `payload is not JSON: ${error.message}`;
    return;
  }
  const response = await fetch('/api/v1/notifications', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: $('to').value, type: $('type').value, payload, ...($('receipt').checked ? { receipt: true } : {}) }),
  });
  $('send-result').textContent = `${response.status} ${await response.text()}`;
});
