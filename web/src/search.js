// A search box over persons, communities, units, teams and party orgs; calls onPick(hit).

import { gql } from './api.js';
import { chip, fill, h } from './dom.js';

export function searchBox({ placeholder, onPick, name }) {
  const input = h('input', { type: 'search', name, placeholder, autocomplete: 'off', 'aria-label': placeholder });
  const hits = h('ul', { class: 'hits', role: 'listbox' });
  let timer;
  let asked = '';

  async function run() {
    const text = input.value.trim();
    if (!text || text === asked) return;
    asked = text;
    await fill(hits, async () => {
      const { search } = await gql('ExploreSearch', { text, first: 20 });
      if (!search.length) return h('li', { class: 'empty' }, `没有找到“${text}”`);
      return search.map((hit) =>
        h('li', { role: 'option' }, h('button', {
          type: 'button',
          dataset: { id: hit.id, label: hit.label },
          onclick: () => {
            input.value = hit.name ?? '';
            asked = input.value;
            hits.replaceChildren();
            onPick(hit);
          },
        }, chip(hit.label), ` ${hit.name ?? ''}`)),
      );
    }, '搜索中…');
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      clearTimeout(timer);
      asked = '';
      run();
    }
  });
  return h('div', { class: 'search' }, input, hits);
}
