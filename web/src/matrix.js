// 人户分离 matrix: home × residence communities under a district or street, as a heatmap with
// totals; a cell lists the persons behind it, page by page.

import { gql } from './api.js';
import { fill, h } from './dom.js';
import { scopeInput } from './scope.js';

const PAGE = 20;
const HOME = { HUKOU: '户籍地', PARTY: '党组织所在社区', COLLECTIVE: '集体经济组织所在社区' };

const sum = (values) => values.reduce((a, b) => a + b, 0);
const byCode = (a, b) => a.code.localeCompare(b.code);

function table(cells, kind, onCell) {
  const count = new Map(cells.map((c) => [`${c.home.code}|${c.residence.code}`, c.persons]));
  const at = (home, place) => count.get(`${home.code}|${place.code}`) ?? 0;
  const total = (side) => {
    const sums = new Map();
    for (const c of cells) sums.set(c[side].code, (sums.get(c[side].code) ?? 0) + c.persons);
    return sums;
  };
  // the busiest first, so the heat gathers top left
  const [homeTotals, placeTotals] = [total('home'), total('residence')];
  const homes = [...new Map(cells.map((c) => [c.home.code, c.home])).values()]
    .sort((a, b) => homeTotals.get(b.code) - homeTotals.get(a.code) || byCode(a, b));
  const places = [...new Map(cells.map((c) => [c.residence.code, c.residence])).values()]
    .sort((a, b) => placeTotals.get(b.code) - placeTotals.get(a.code) || byCode(a, b));
  const max = Math.max(...cells.map((c) => c.persons));

  const cell = (home, place) => {
    const n = at(home, place);
    if (!n) return h('td', { class: 'zero' });
    const td = h('td', { class: 'cell', dataset: { home: home.code, residence: place.code } },
      h('button', { type: 'button', title: `${home.name} → ${place.name}：${n} 人，点击查看名单`,
        onclick: () => onCell(home, place, n, td) }, String(n)));
    const heat = 0.12 + 0.78 * (n / max);
    td.style.setProperty('--heat', heat.toFixed(2));
    if (heat > 0.55) td.classList.add('dark');
    return td;
  };

  return h('table', { class: 'matrix' },
    h('thead', {}, h('tr', {},
      h('th', { class: 'corner' }, `${HOME[kind]} ↓ ／ 居住地 →`),
      places.map((p) => h('th', { scope: 'col', title: p.code }, p.name)),
      h('th', { class: 'total' }, '合计'))),
    h('tbody', {}, homes.map((home) => h('tr', {},
      h('th', { scope: 'row', title: home.code }, home.name,
        home.__typename === 'Region' ? h('span', { class: 'tag' }, '区外') : null),
      places.map((p) => cell(home, p)),
      h('td', { class: 'total' }, String(homeTotals.get(home.code)))))),
    h('tfoot', {}, h('tr', {},
      h('th', { scope: 'row' }, '合计'),
      places.map((p) => h('td', { class: 'total' }, String(placeTotals.get(p.code)))),
      h('td', { class: 'total grand' }, String(sum(cells.map((c) => c.persons)))))));
}

export function matrixView(state) {
  const scope = scopeInput('matrix-scope');
  const kind = h('select', { name: 'kind', 'aria-label': '类型' },
    h('option', { value: 'HUKOU' }, '户籍 HUKOU'),
    h('option', { value: 'PARTY' }, '党组织关系 PARTY'),
    h('option', { value: 'COLLECTIVE' }, '集体经济 COLLECTIVE'));
  const result = h('div', { class: 'matrix-result' });
  const persons = h('div', { class: 'persons', 'aria-live': 'polite' });
  let shown = null; // {scope, kind} of the matrix on screen
  let open = null; // the cell whose persons are listed

  async function page() {
    const found = [];
    while (found.length < PAGE && open.hasNext) {
      const { residenceMismatches: r } = await gql('ExploreMismatches', {
        code: open.place.code, kind: open.kind, direction: 'REGISTERED_ELSEWHERE',
        asOf: state.asOf, first: PAGE, after: open.after,
      });
      found.push(...r.edges.map((e) => e.node).filter((m) => m.home.code === open.home.code));
      open.after = r.pageInfo.endCursor;
      open.hasNext = r.pageInfo.hasNextPage;
    }
    open.people.push(...found);
    return [
      h('h3', {}, `${open.home.name} → ${open.place.name}：共 ${open.count} 人`),
      h('ol', { class: 'person-list' }, open.people.map((m) => h('li', {},
        h('button', { type: 'button', class: 'link', dataset: { pid: m.person.pid },
          onclick: () => state.openPerson(m.person) }, m.person.name),
        h('code', {}, m.person.pid)))),
      h('p', { class: 'note' }, `已显示 ${open.people.length} / ${open.count} 人，按姓名排序。点击姓名查看其关系图。`),
      open.hasNext ? h('button', { type: 'button', class: 'more', onclick: () => fill(persons, page) }, '加载更多') : null,
    ];
  }

  function showCell(home, place, count, td) {
    result.querySelectorAll('td.chosen').forEach((c) => c.classList.remove('chosen'));
    td.classList.add('chosen');
    open = { home, place, count, kind: shown.kind, people: [], after: null, hasNext: true };
    fill(persons, page, '正在读取名单…');
  }

  async function load() {
    persons.replaceChildren();
    open = null;
    const code = scope.value();
    if (!code) return;
    shown = { scope: code, kind: kind.value };
    await fill(result, async () => {
      const { mismatchMatrix } = await gql('ExploreMatrix', { scope: code, kind: kind.value, asOf: state.asOf });
      if (!mismatchMatrix.length) return h('p', { class: 'empty' }, '该范围内没有这一类人户分离记录。');
      return [
        h('p', { class: 'summary' }, `${code}：${mismatchMatrix.length} 个流向，共 ${sum(mismatchMatrix.map((c) => c.persons))} 人` +
          `${state.asOf ? `（截至 ${state.asOf}）` : '（截至今天）'}。颜色越深人数越多；点击数字查看名单。`),
        table(mismatchMatrix, kind.value, showCell),
      ];
    }, '正在计算人户分离矩阵…');
  }

  kind.addEventListener('change', load);
  const view = h('div', { class: 'report-layout' },
    h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); load(); } },
      scope.element, h('label', {}, '类型 ', kind), h('button', { type: 'submit', class: 'primary' }, '查看')),
    h('div', { class: 'matrix-and-list' }, result, persons));

  return { element: view, refresh: () => shown && load(), load };
}
