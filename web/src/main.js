// The explorer page: four views under tabs (#neighbourhood, #connection, #matrix, #coverage), one
// as-of date that every view respects, and a sign-in box for the API token.

import '@fontsource/noto-sans-sc/400.css';
import './style.css';
import { onSignInNeeded, setToken, token } from './api.js';
import { $, h } from './dom.js';
import { connectionView } from './connection.js';
import { coverageView } from './coverage.js';
import { matrixView } from './matrix.js';
import { neighbourhoodView } from './neighbourhood.js';

const state = {
  asOf: null, // null = today
  openPerson: (person) => {
    location.hash = '#neighbourhood';
    views.neighbourhood.open({ id: person.id, label: 'Person', name: person.name });
  },
};

const views = {
  neighbourhood: neighbourhoodView(state),
  connection: connectionView(state),
  matrix: matrixView(state),
  coverage: coverageView(state),
};
const seen = {}; // the as-of date each view last showed

function show() {
  const name = location.hash.slice(1) in views ? location.hash.slice(1) : 'neighbourhood';
  for (const [key, view] of Object.entries(views)) {
    $(`#view-${key}`).hidden = key !== name;
    $(`[data-view="${key}"]`).setAttribute('aria-selected', String(key === name));
  }
  views[name].resize?.();
  if (name in seen && seen[name] !== state.asOf) views[name].refresh();
  seen[name] = state.asOf;
}

function signIn(message) {
  const dialog = $('#sign-in');
  $('#sign-in-message').textContent = message ?? '粘贴管理员发给您的令牌 (token)。令牌只保存在本浏览器标签页中，关闭后即失效。';
  $('#sign-in-message').classList.toggle('error', Boolean(message));
  $('#token').value = '';
  if (!dialog.open) dialog.showModal();
}

function showSignedIn() {
  $('#signed-in').textContent = token() ? '已登录' : '未登录';
  $('#sign-out').hidden = !token();
}

for (const [key, view] of Object.entries(views)) $(`#view-${key}`).append(view.element);

$('#as-of').addEventListener('change', (event) => {
  state.asOf = event.target.value || null;
  show();
});
$('#as-of-today').addEventListener('click', () => {
  $('#as-of').value = '';
  state.asOf = null;
  show();
});
$('#sign-in-button').addEventListener('click', () => signIn());
$('#sign-out').addEventListener('click', () => {
  setToken(null);
  showSignedIn();
});
$('#sign-in form').addEventListener('submit', (event) => {
  if (event.submitter?.value !== 'ok') return;
  const value = $('#token').value.trim().replace(/^Bearer\s+/i, '');
  if (!value) {
    event.preventDefault();
    $('#sign-in-message').textContent = '请粘贴令牌。';
    return;
  }
  setToken(value);
  showSignedIn();
  const current = location.hash.slice(1) in views ? location.hash.slice(1) : 'neighbourhood';
  views[current].refresh();
});
onSignInNeeded((message) => {
  setToken(null);
  showSignedIn();
  signIn(message);
});
window.addEventListener('hashchange', show);
window.addEventListener('resize', () => Object.values(views).forEach((v) => v.resize?.()));
showSignedIn();
show();
document.body.classList.add('ready');

// for people debugging the page (and the end-to-end tests): the views and their cytoscape graphs
window.explorer = { views, state };
