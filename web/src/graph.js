// One cytoscape canvas: nodes coloured by label, edges labelled by type, ended relationships dashed.

import cytoscape from 'cytoscape';
import { openOn } from './dom.js';
import { edgeName, labelColour, labelName } from './words.js';

const FONT = '"Noto Sans SC", sans-serif';

const STYLE = [
  {
    selector: 'node',
    style: {
      'background-color': 'data(colour)',
      label: 'data(caption)',
      'font-family': FONT,
      'font-size': 12,
      'text-valign': 'bottom',
      'text-margin-y': 4,
      'text-wrap': 'ellipsis',
      'text-max-width': 120,
      'min-zoomed-font-size': 7, // labels go when zoomed too far out to read them
      width: 28,
      height: 28,
      'border-width': 2,
      'border-color': '#fff',
    },
  },
  { selector: 'node.root', style: { width: 40, height: 40, 'font-weight': 'bold' } },
  { selector: 'node:selected', style: { 'border-color': '#212121', 'border-width': 4 } },
  {
    selector: 'edge',
    style: {
      label: 'data(caption)',
      'font-family': FONT,
      'font-size': 10,
      color: '#455a64',
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'line-color': '#90a4ae',
      'target-arrow-color': '#90a4ae',
      width: 2,
      'text-rotation': 'autorotate',
      'text-background-color': '#fff',
      'text-background-opacity': 0.85,
      'text-background-padding': 2,
      'min-zoomed-font-size': 7,
    },
  },
  { selector: 'edge.ended', style: { 'line-style': 'dashed', opacity: 0.55 } },
];

export const edgeId = (e) => `${e.type}|${e.from}|${e.to}|${e.since ?? ''}`;

export function createGraph(container, onTap) {
  // the container is not on the page yet: no layout until there is something to draw
  const cy = cytoscape({ container, style: STYLE, layout: { name: 'preset' }, minZoom: 0.2, maxZoom: 3 });
  cy.on('tap', 'node', (event) => onTap(event.target.data()));

  const caption = (e, asOf) => edgeName(e.type) + (openOn(e.since, e.until, asOf) ? '' : '（已结束）');

  return {
    cy,
    clear: () => cy.elements().remove(),

    /** Draws the nodes and edges not drawn yet; resolves to how many nodes were new. */
    async add(nodes, edges, asOf) {
      // canvas text needs the webfont's subsets for these very characters before it is drawn
      const text = nodes.map((n) => n.name ?? '').join('') + edges.map((e) => caption(e, asOf)).join('');
      await document.fonts.load(`12px ${FONT}`, text);
      const fresh = nodes.filter((n) => cy.getElementById(n.id).empty());
      cy.add(
        fresh.map((n) => ({
          group: 'nodes',
          data: { ...n, caption: n.name ?? labelName(n.label), colour: labelColour(n.label) },
        })),
      );
      for (const e of edges) {
        if (!cy.getElementById(edgeId(e)).empty()) continue;
        cy.add({
          group: 'edges',
          data: { ...e, id: edgeId(e), source: e.from, target: e.to, caption: caption(e, asOf) },
          classes: openOn(e.since, e.until, asOf) ? [] : ['ended'],
        });
      }
      return fresh.length;
    },

    /** Re-reads `since`/`until` of every edge against a new as-of date. */
    asOf(asOf) {
      cy.edges().forEach((edge) => {
        const e = edge.data();
        edge.data('caption', caption(e, asOf));
        edge.toggleClass('ended', !openOn(e.since, e.until, asOf));
      });
    },

    rename(id, name) {
      cy.getElementById(id).data('caption', name);
    },

    /** Rings around the root, one per hop, each ring ordered by where its nodes were reached from. */
    ringsAround(rootId) {
      cy.nodes().removeClass('root');
      const root = cy.getElementById(rootId).addClass('root');
      const depth = new Map([[rootId, 0]]);
      const parent = new Map();
      cy.elements().breadthFirstSearch({
        root,
        directed: false,
        visit: (v, e, u, i, d) => {
          depth.set(v.id(), d);
          if (u) parent.set(v.id(), u.id());
        },
      });
      const angle = new Map([[rootId, -Math.PI / 2]]);
      let radius = 0;
      for (let d = 1; d <= Math.max(...depth.values()); d++) {
        const ring = cy.nodes().filter((n) => depth.get(n.id()) === d).toArray()
          .sort((a, b) => angle.get(parent.get(a.id())) - angle.get(parent.get(b.id())) || (a.id() < b.id() ? -1 : 1));
        radius = Math.max(radius + 150, (ring.length * 110) / (2 * Math.PI));
        // outward from the parent, siblings side by side, never closer than `step`
        const step = Math.min((2 * Math.PI) / ring.length, 110 / radius);
        const siblings = (n) => ring.filter((m) => parent.get(m.id()) === parent.get(n.id()));
        let previous = -Infinity;
        for (const node of ring) {
          const family = siblings(node);
          const wanted = angle.get(parent.get(node.id())) + (family.indexOf(node) - (family.length - 1) / 2) * step;
          const a = d === 1 ? -Math.PI / 2 + (2 * Math.PI * ring.indexOf(node)) / ring.length : Math.max(wanted, previous + step);
          previous = a;
          angle.set(node.id(), a);
          node.position({ x: radius * Math.cos(a), y: radius * Math.sin(a) });
        }
      }
      root.position({ x: 0, y: 0 });
      cy.fit(undefined, 40);
    },

    /** A path left to right, in the order given. */
    line(ids) {
      ids.forEach((id, i) => cy.getElementById(id).position({ x: i * 200, y: (i % 2) * 60 }));
      cy.fit(undefined, 40);
    },

    select(id) {
      cy.nodes().unselect();
      cy.getElementById(id).select();
    },
  };
}
