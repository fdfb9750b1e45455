// Connection: the shortest chain of relationships between two chosen nodes.

import { gql } from './api.js';
import { nameless } from './card.js';
import { fill, h, openOn, period } from './dom.js';
import { createGraph } from './graph.js';
import { searchBox } from './search.js';
import { edgeName, labelName } from './words.js';


export function connectionView(state) {
  const canvas = h('div', { class: 'canvas', id: 'connection-graph' });
  const result = h('div', { class: 'path-steps', 'aria-live': 'polite' });
  const ends = { from: null, to: null };
  const hops = h('select', { name: 'max-hops', 'aria-label': '最多跳数' },
    [2, 3, 4, 5, 6].map((n) => h('option', { value: String(n), selected: n === 4 }, `最多 ${n} 跳`)));
  const graph = createGraph(canvas, () => {});
  let path = null;

  function steps() {
    const items = path.edges.map((e, i) => {
      const [a, b] = [path.nodes[i], path.nodes[i + 1]];
      const ended = !openOn(e.since, e.until, state.asOf);
      return h('li', { class: ended ? 'ended' : null },
        h('span', { class: 'name' }, a.name), ` ${e.from === a.id ? '→' : '←'} `,
        h('span', { class: 'edge-type' }, `${edgeName(e.type)} ${e.type}`),
        e.since || e.until ? ` （${period(e.since, e.until)}${ended ? '，截至日期时已结束' : ''}）` : '',
        ` ${e.from === a.id ? '→' : '←'} `, h('span', { class: 'name' }, b.name));
    });
    return [h('p', { class: 'summary' }, `${path.nodes[0].name} 与 ${path.nodes.at(-1).name} 之间最短相隔 ${path.length} 步：`),
      h('ol', {}, items)];
  }

  async function find() {
    if (!ends.from || !ends.to) {
      result.replaceChildren(h('p', { class: 'error' }, '请先在两个搜索框中各选择一个节点。'));
      return;
    }
    graph.clear();
    path = null;
    await fill(result, async () => {
      const data = await gql('ExploreConnection', { from: ends.from.id, to: ends.to.id, maxHops: Number(hops.value) });
      if (!data.path) return h('p', { class: 'empty' }, `在 ${hops.value} 跳以内没有找到两者之间的连接。`);
      const names = await nameless(data.path.nodes);
      const nodes = data.path.nodes.map((n) => ({ ...n, name: names[n.id] ?? n.name ?? labelName(n.label) }));
      path = { ...data.path, nodes };
      await graph.add(nodes, path.edges, state.asOf);
      graph.line(nodes.map((n) => n.id));
      return steps();
    }, '正在查找最短连接…');
  }

  const pick = (end) => (hit) => {
    ends[end] = hit;
    if (ends.from && ends.to) find();
  };

  const view = h('div', { class: 'explore-layout' },
    h('aside', { class: 'tools' },
      h('h2', {}, '起点'), searchBox({ name: 'from-search', placeholder: '搜索起点', onPick: pick('from') }),
      h('h2', {}, '终点'), searchBox({ name: 'to-search', placeholder: '搜索终点', onPick: pick('to') }),
      h('label', {}, hops), h('button', { type: 'button', class: 'primary', onclick: find }, '查找连接'),
      h('p', { class: 'note' }, '任意关系、任意方向的最短连接。虚线为截至日期时已结束的关系。')),
    canvas,
    h('aside', { class: 'side' }, result));

  return {
    element: view,
    refresh() {
      if (!path && ends.from && ends.to) return find(); // it failed, e.g. before signing in
      graph.asOf(state.asOf);
      if (path) result.replaceChildren(...steps());
    },
    resize: () => graph.cy.resize(),
    graph,
  };
}
