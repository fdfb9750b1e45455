// 结对共建 coverage: every community under the scope with its paired units, the unpaired ones
// highlighted, and for a chosen community its pairings and the best pairing suggestions.

import { gql } from './api.js';
import { fill, h } from './dom.js';
import { scopeInput } from './scope.js';
import { word } from './words.js';

const SUGGESTIONS = 5;

const reasons = (r) =>
  [`在本社区居住的职工 ${r.employeesLivingHere} 人`, r.sameStreet ? '位于同一街道' : '不在同一街道',
    `现有结对 ${r.currentPairings} 个`].join('；');

const units = (list) =>
  list.length > 3 ? `${list.slice(0, 3).map((u) => u.name).join('、')} 等 ${list.length} 个` : list.map((u) => u.name).join('、') || '—';

export function coverageView(state) {
  const scope = scopeInput('coverage-scope');
  const onlyUnpaired = h('input', { type: 'checkbox', name: 'only-unpaired' });
  const result = h('div', { class: 'coverage-result' });
  const detail = h('div', { class: 'detail', 'aria-live': 'polite' },
    h('p', { class: 'hint' }, '点击一个社区，查看其结对单位和结对建议。'));
  let rows = null;
  let asked = false; // a scope was asked for: refresh asks again (new date, or after signing in)
  let chosen = null;

  async function showDetail(community) {
    chosen = community;
    const row = rows.find((r) => r.community.code === community.code);
    result.querySelectorAll('tr.chosen').forEach((tr) => tr.classList.remove('chosen'));
    result.querySelector(`tr[data-code="${community.code}"]`)?.classList.add('chosen');
    await fill(detail, async () => {
      const data = await gql('ExplorePairingDetail', { code: community.code, asOf: state.asOf, first: SUGGESTIONS });
      const pairings = data.community?.pairings ?? [];
      return [
        h('h3', {}, `${community.name}：现有结对单位`),
        pairings.length
          ? h('ul', {}, pairings.map((p) => h('li', {}, `${p.unit?.name}（${word(p.unit?.category)}，${p.since} 起` +
            `${p.agreementNo ? `，协议 ${p.agreementNo}` : ''}）`)))
          : h('p', { class: 'unpaired-note' }, '截至所选日期没有结对单位。'),
        row?.unpairedLocalUnits.length
          ? [h('h3', {}, `本社区尚未结对的驻区单位（${row.unpairedLocalUnits.length}）`),
            h('p', {}, row.unpairedLocalUnits.map((u) => u.name).join('、'))]
          : null,
        h('h3', {}, `结对建议（前 ${SUGGESTIONS} 名）`),
        data.pairingSuggestions.length
          ? h('table', { class: 'suggestions' },
            h('thead', {}, h('tr', {}, h('th', {}, '单位'), h('th', {}, '得分 score'), h('th', {}, '理由'))),
            h('tbody', {}, data.pairingSuggestions.map((s) => h('tr', {},
              h('td', {}, s.unit.name), h('td', { class: 'num' }, String(s.score)), h('td', {}, reasons(s.reasons))))))
          : h('p', { class: 'empty' }, '没有可建议的单位。'),
        h('p', { class: 'note' }, '得分 = 在本社区居住的职工数 + 3 × 同街道 − 现有结对数；按所选日期计算。'),
      ];
    }, '正在读取结对情况…');
  }

  function render() {
    const unpaired = rows.filter((r) => r.pairedUnits === 0);
    const shown = onlyUnpaired.checked ? unpaired : [...unpaired, ...rows.filter((r) => r.pairedUnits > 0)];
    return [
      h('p', { class: 'summary' }, `共 ${rows.length} 个社区，其中 `, h('strong', {}, `${unpaired.length} 个没有结对单位`),
        `${state.asOf ? `（截至 ${state.asOf}）` : '（截至今天）'}。`),
      h('table', { class: 'coverage' },
        h('thead', {}, h('tr', {}, h('th', {}, '社区'), h('th', {}, '结对单位数'), h('th', {}, '本社区尚未结对的驻区单位'))),
        h('tbody', {}, shown.map((r) => h('tr', {
          class: [r.pairedUnits === 0 ? 'unpaired' : '', chosen?.code === r.community.code ? 'chosen' : ''].join(' ').trim() || null,
          dataset: { code: r.community.code },
          onclick: () => showDetail(r.community),
        },
        h('td', {}, h('button', { type: 'button', class: 'link' }, r.community.name),
          r.pairedUnits === 0 ? h('span', { class: 'tag warn' }, '无结对') : null),
        h('td', { class: 'num' }, String(r.pairedUnits)),
        h('td', { title: r.unpairedLocalUnits.map((u) => u.name).join('、') }, units(r.unpairedLocalUnits)))))),
    ];
  }

  async function load() {
    const code = scope.value();
    if (!code) return;
    asked = true;
    await fill(result, async () => {
      rows = (await gql('ExploreCoverage', { scope: code, asOf: state.asOf })).pairingCoverage;
      if (!rows.length) return h('p', { class: 'empty' }, '该范围内没有社区。请检查代码。');
      return render();
    }, '正在读取结对共建情况…');
    if (chosen) showDetail(chosen);
  }

  onlyUnpaired.addEventListener('change', () => rows && result.replaceChildren(...render()));
  const view = h('div', { class: 'report-layout' },
    h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); load(); } },
      scope.element, h('label', {}, onlyUnpaired, ' 只看无结对社区'), h('button', { type: 'submit', class: 'primary' }, '查看')),
    h('div', { class: 'coverage-and-detail' }, result, detail));

  return { element: view, refresh: () => asked && load(), load };
}
