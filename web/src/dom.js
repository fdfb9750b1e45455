// A few DOM helpers. Text from the API only ever goes in as text, never as HTML.

import { SignInNeeded } from './api.js';
import { labelColour, labelName } from './words.js';

/** h('td', {class: 'n', onclick: f}, 'text', childNode, [more, children]) */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'style') Object.assign(element.style, value); // CSSOM: allowed by the page's CSP
    else element.setAttribute(key, value === true ? '' : value);
  }
  element.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return element;
}

/** A coloured tag naming a node label: 居民 (Person colour). */
export const chip = (label, english = false) =>
  h('span', { class: 'chip', dataset: { label }, style: { background: labelColour(label) } },
    english ? `${labelName(label)} ${label}` : labelName(label));

export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * Shows a loading line in `target`, then what `render()` returns, or the error in words.
 * Returns the rendered node (or null on failure).
 */
export async function fill(target, render, loading = '加载中…') {
  target.replaceChildren(h('p', { class: 'loading-line' }, loading));
  try {
    const content = await render();
    target.replaceChildren(...[content].flat(Infinity).filter(Boolean));
    return content;
  } catch (error) {
    const text = error instanceof SignInNeeded ? `${error.message}（登录后重试）` : error.message;
    target.replaceChildren(h('p', { class: 'error', role: 'alert' }, text));
    if (!(error instanceof SignInNeeded)) console.error(error);
    return null;
  }
}

/** "2012-06-01 至 2020-08-31" / "2019-04-01 起" */
export const period = (since, until) => (until ? `${since ?? '?'} 至 ${until}` : since ? `${since} 起` : '');

/** Whether a relationship with since/until holds on `asOf` (today when empty); unknown = yes. */
export function openOn(since, until, asOf) {
  const day = asOf || today();
  return (!since || since <= day) && (!until || until > day);
}

/** Today's date where the browser is, YYYY-MM-DD. */
export function today() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}
