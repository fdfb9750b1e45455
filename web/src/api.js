// The page's only way to the data: POST one of its named operations (web/operations.graphql) to
// /graphql with the signed-in token.

import OPERATIONS from '../operations.graphql';

const QUERIES = Object.fromEntries(
  OPERATIONS.replace(/^\s*#.*$/gm, '').split(/^(?=query )/m).filter((text) => text.trim())
    .map((text) => [text.match(/^query (\w+)/)[1], text.trim()]),
);
const TOKEN = 'grassroots.token';
let pending = 0;
let signInPrompt = () => {};

/** Thrown when the API wants a (new) token; the sign-in box is already open. */
export class SignInNeeded extends Error {}

export const token = () => sessionStorage.getItem(TOKEN);
export const setToken = (value) =>
  value ? sessionStorage.setItem(TOKEN, value) : sessionStorage.removeItem(TOKEN);
export const onSignInNeeded = (prompt) => {
  signInPrompt = prompt;
};

function busy(delta) {
  pending += delta;
  document.body.classList.toggle('loading', pending > 0);
}

function needSignIn(message) {
  signInPrompt(message);
  return new SignInNeeded(message);
}

/** The `data` of the named operation's answer; a readable Error (in Chinese) for anything else. */
export async function gql(name, variables = {}) {
  const query = QUERIES[name];
  if (!query) throw new Error(`web/operations.graphql has no operation ${name}`);
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  busy(+1);
  try {
    let response;
    try {
      response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables, operationName: name }) });
    } catch {
      throw new Error('无法连接服务，请确认服务正在运行后重试。');
    }
    if (response.status === 401) {
      throw needSignIn(token() ? '令牌无效或已过期 (401)，请重新粘贴令牌。' : '请先登录：粘贴管理员发给您的令牌 (token)。');
    }
    if (response.status === 403) throw new Error('您的账号无权查看这些数据 (403)。');
    if (response.status === 429) {
      throw new Error(`请求过于频繁，请 ${response.headers.get('Retry-After') ?? '几'} 秒后再试 (429)。`);
    }
    const body = await response.json().catch(() => null);
    if (!body) throw new Error(`服务返回了无法识别的答复 (HTTP ${response.status})。`);
    const errors = body.errors ?? [];
    if (errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
      throw needSignIn('令牌无效或已过期，请重新粘贴令牌。');
    }
    if (errors.length) throw new Error(`查询出错：${errors.map((e) => e.message).join('；')}`);
    if (!response.ok) throw new Error(`服务出错 (HTTP ${response.status})。`);
    return body.data;
  } finally {
    busy(-1);
  }
}
