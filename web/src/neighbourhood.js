// Search and neighbourhood: the chosen node and everything one or two hops away; clicking a node
// shows its card and draws its own neighbours too.

import { gql } from './api.js';
import { card, nameless } from './card.js';
import { chip, fill, h } from './dom.js';
import { createGraph } from './graph.js';
import { searchBox } from './search.js';
import { edgeName, LABELS } from './words.js';

const LIMIT = 200;

export function neighbourhoodView(state) {
  const canvas = h('div', { class: 'canvas', id: 'neighbourhood-graph' });
  const status = h('div', { class: 'status', 'aria-live': 'polite' });
  const panel = h('div', { class: 'card' }, h('p', { class: 'hint' }, '搜索并选择一个居民、社区、单位、志愿服务队或党组织。'));
  const neighbours = h('div', { class: 'neighbours' });
  const depth = h('select', { name: 'depth', 'aria-label': '范围' },
    h('option', { value: '1' }, '1 跳（直接关系）'), h('option', { value: '2' }, '2 跳'));
  const graph = createGraph(canvas, (node) => select(node, true));
  let root = null;
  let selected = null;

  async function expand(id, hops) {
    await fill(status, async () => {
      const { neighborhood } = await gql('ExploreNeighborhood', { id, depth: hops, limit: LIMIT });
      if (!neighborhood) throw new Error('找不到这个节点。');
      const names = await nameless(neighborhood.nodes);
      const added = await graph.add(neighborhood.nodes.map((n) => ({ ...n, name: names[n.id] ?? n.name })),
        neighborhood.edges, state.asOf);
      graph.ringsAround(root.id);
      return h('p', {}, `图中共 ${graph.cy.nodes().length} 个节点，本次新增 ${added} 个。`,
        neighborhood.truncated ? h('strong', {}, ` 关系过多，只画出前 ${LIMIT} 条。`) : null);
    }, '正在读取关系…');
  }

  function listNeighbours(id) {
    const node = graph.cy.getElementById(id);
    const items = node.connectedEdges().map((edge) => {
      const other = edge.source().id() === id ? edge.target() : edge.source();
      const arrow = edge.source().id() === id ? '→' : '←';
      return h('li', {}, h('button', { type: 'button', dataset: { id: other.id() }, onclick: () => select(other.data(), true) },
        h('span', { class: 'edge-type' }, `${arrow} ${edgeName(edge.data('type'))} ${edge.data('type')}`), ' ',
        chip(other.data('label')), ' ',
        h('span', { class: 'name' }, other.data('caption'))));
    });
    neighbours.replaceChildren(h('h3', {}, `相邻节点（${items.length}）`), h('ul', {}, items));
  }

  async function select(node, grow) {
    selected = node;
    graph.select(node.id);
    const shown = fill(panel, () => card(node, state.asOf));
    if (grow) await expand(node.id, 1);
    listNeighbours(node.id);
    await shown;
  }

  async function open(hit) {
    root = hit;
    graph.clear();
    await expand(hit.id, Number(depth.value));
    await select(hit, false);
  }

  depth.addEventListener('change', () => root && open(root));
  const view = h('div', { class: 'explore-layout' },
    h('aside', { class: 'tools' },
      h('h2', {}, '搜索'),
      searchBox({ name: 'neighbourhood-search', placeholder: '姓名、社区、单位、志愿队、党组织', onPick: open }),
      h('label', {}, '范围 ', depth),
      h('p', { class: 'note' }, '点击图中的节点：右侧显示其信息卡，并画出它的相邻节点。虚线为截至日期时已结束的关系。'),
      h('p', { class: 'note' }, '关系图包含各时期的关系，截至所选日期已结束的关系以虚线显示；信息卡按截至日期显示。'),
      status,
      h('h3', {}, '图例'),
      h('div', { class: 'legend' }, Object.keys(LABELS).map((label) => chip(label, true)))),
    canvas,
    h('aside', { class: 'side' }, panel, neighbours));

  return {
    element: view,
    open,
    refresh() {
      if (root && graph.cy.nodes().empty()) return open(root); // it failed, e.g. before signing in
      graph.asOf(state.asOf);
      if (selected) fill(panel, () => card(selected, state.asOf));
    },
    resize: () => graph.cy.resize(),
    graph,
  };
}
