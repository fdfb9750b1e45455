// The side panel's card for one node: the PersonCard for a person (masked personal data only),
// the profile of a community, the pairings of a unit, the tree of a party org, a few lines otherwise.

import { gql } from './api.js';
import { chip, h, period } from './dom.js';
import { labelName, word } from './words.js';

/** A definition list of the rows whose value is not empty. */
function facts(rows) {
  return h('dl', {}, rows.filter(([, v]) => v != null && v !== '' && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, Array.isArray(v) ? h('ul', {}, v.map((x) => h('li', {}, x))) : v)]));
}

const title = (name, label, key) =>
  h('header', {}, h('h2', {}, name ?? labelName(label)), chip(label, true), key ? h('code', {}, key) : null);

function personCard(p) {
  const r = p.residence;
  const building = r?.dwelling?.building;
  return [
    title(p.name, 'Person', p.pid),
    facts([
      ['性别', word(p.gender)],
      ['出生年份', p.birthYear],
      ['身份证号', p.idNumberMasked],
      ['电话', p.phoneMasked],
      ['标签', p.tags.join('、')],
      ['户籍', p.household && `${p.household.hukouPlace?.name ?? '?'}（${p.household.key}，${word(p.household.type)}，` +
        `${p.household.relToHead ?? ''}，${p.household.since} 起）`],
      ['居住', r && `${r.community?.name ?? '?'} ${building?.compound?.name ?? ''}${building?.name ?? ''}` +
        `（${word(r.tenure)}，${r.since} 起${building?.grid ? `，${building.grid.name}` : ''}）`],
      ['居住历史', p.residenceHistory.map((x) => `${x.community?.name ?? '?'}：${period(x.since, x.until)}`)],
      ['党组织关系', p.partyMembership && `${p.partyMembership.org?.name}（${word(p.partyMembership.type)}，` +
        `${p.partyMembership.since} 起）`],
      ['报到社区', p.reportedTo && `${p.reportedTo.community?.name}（${p.reportedTo.since} 起）`],
      ['工作单位', p.employer && `${p.employer.unit?.name}（${p.employer.since} 起）`],
      ['职务', p.roles.map((x) => `${word(x.role)}：${x.scopeName ?? word(x.scopeType)}（${x.since} 起）`)],
      ['志愿服务队', p.teams.map((x) => `${x.team?.name} ${x.role ?? ''}（${x.since} 起）`)],
      ['集体经济组织', p.collectiveMemberships.map((x) => `${x.org?.name}（${x.org?.area?.name ?? ''}，${x.since} 起）`)],
    ]),
    h('p', { class: 'note' }, '身份证号、电话已脱敏；按截至日期显示。'),
  ];
}

function communityCard(c) {
  const s = c.stats;
  return [
    title(c.name, 'Community', c.code),
    facts([
      ['类型 / 状态', `${word(c.kind)} · ${word(c.status)}`],
      ['街道', c.street?.name],
      ['已并入', c.mergedInto?.name],
      ['由以下合并', c.mergedFrom.map((m) => `${m.community.name}（${m.on}${m.docNo ? `，${m.docNo}` : ''}）`)],
      ['片区', c.areas.map((a) => a.name).join('、')],
      ['网格数', c.grids.totalCount],
      ['居住人数', s.residents],
      ['户籍人数', s.registered],
      ['户在人不在', s.livingElsewhere],
      ['人在户不在', s.registeredElsewhere],
      ['居住地不明', s.residenceUnknown],
      ['居住党员', s.partyMembers],
      ['在职党员报到', s.reportedMembers],
      ['志愿服务队', s.volunteerTeams],
      ['结对单位', c.pairings.length ? c.pairings.map((p) => `${p.unit?.name}（${p.since} 起）`) : '无'],
    ]),
  ];
}

function unitCard(u) {
  return [
    title(u.name, 'Unit', u.uscc),
    facts([
      ['类别', word(u.category)],
      ['所在社区', u.community?.name],
      ['结对共建', u.pairings.map((p) => `${p.target?.name ?? '?'}（${period(p.since, p.until)}${p.active ? '' : '，已结束'}）`)],
    ]),
  ];
}

function partyOrgCard(o) {
  return [
    title(o.name, 'PartyOrg', o.orgId),
    facts([
      ['层级', word(o.level)],
      ['类型', word(o.kind)],
      ['所在社区', o.homeCommunity?.name],
      ['上级', o.parent?.name],
      ['下级', o.children.map((c) => `${c.name}（${word(c.level)}，${c.memberCount} 人）`)],
      ['党员', `${o.memberCount} 人：${o.members.nodes.map((m) => m.name).join('、')}` +
        (o.members.totalCount > o.members.nodes.length ? ' …' : '')],
    ]),
  ];
}

function plainCard(n, label, name) {
  const b = n.building;
  return [
    title(n.name ?? name, label, n.code ?? n.key ?? n.teamId ?? n.uscc),
    facts([
      ['类型', word(n.type ?? n.teamType)],
      ['所在', b && `${b.compound?.name ?? ''}${b.name}${b.grid ? `（${b.grid.name}）` : ''}`],
      ['小区', n.compound && `${n.compound.name}（${word(n.compound.type)}）`],
      ['网格', n.grid?.name],
      ['片区', n.area?.name],
      ['社区', n.community?.name],
      ['目标户数', n.targetHouseholds],
      ['评议', n.year && `${n.year} 年 ${n.side === 'ORG' ? '支部' : '社区'}评议：${word(n.grade)}`],
    ]),
  ];
}

/** The card for a graph node {id, label, name}; `asOf` for what changes with time. */
export async function card(node, asOf) {
  const { node: n } = await gql('ExploreNode', { id: node.id });
  if (!n) throw new Error('找不到这个节点（可能已被删除或不在您的权限范围内）。');
  if (n.__typename === 'Person') {
    const { person } = await gql('ExplorePerson', { pid: n.pid, asOf });
    return personCard(person);
  }
  if (n.__typename === 'Community') return communityCard((await gql('ExploreCommunity', { code: n.code, asOf })).community);
  if (n.__typename === 'Unit') return unitCard((await gql('ExploreUnit', { uscc: n.uscc })).unit);
  if (n.__typename === 'PartyOrg') return partyOrgCard((await gql('ExplorePartyOrg', { orgId: n.orgId })).partyOrg);
  return plainCard(n, n.__typename, node.name);
}

/** Names for dwellings (they have none of their own): "德雅花园1栋 户室"; past a few, just "户室". */
export async function nameless(nodes) {
  const missing = nodes.filter((n) => !n.name && n.label === 'Dwelling').slice(0, 12);
  const names = await Promise.all(missing.map((n) => gql('ExploreDwellingName', { id: n.id })));
  return Object.fromEntries(missing.map((n, i) => {
    const b = names[i].node?.building;
    return [n.id, b ? `${b.compound?.name ?? ''}${b.name} 户室` : '户室'];
  }));
}
