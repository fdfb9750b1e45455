// Chinese names for the schema's labels, relationship types and enum values; the English code
// stays beside them where staff see it in the API and the ledgers.

export const LABELS = {
  Person: ['居民', '#d9534f'],
  Household: ['户籍户', '#f0ad4e'],
  Dwelling: ['户室', '#c9a227'],
  Building: ['楼栋', '#8d6e63'],
  Compound: ['小区', '#a1887f'],
  Grid: ['网格', '#26a69a'],
  Community: ['社区·村', '#1e88e5'],
  Area: ['片区', '#64b5f6'],
  Street: ['街道', '#3949ab'],
  District: ['区县', '#283593'],
  Region: ['区外', '#78909c'],
  PartyOrg: ['党组织', '#c62828'],
  Unit: ['单位', '#7b1fa2'],
  VolunteerTeam: ['志愿服务队', '#43a047'],
  Evaluation: ['评议', '#9e9e9e'],
  CollectiveOrg: ['集体经济组织', '#6d4c41'],
};

export const labelName = (label) => LABELS[label]?.[0] ?? label;
export const labelColour = (label) => LABELS[label]?.[1] ?? '#607d8b';

export const EDGES = {
  HUKOU_MEMBER: '户籍成员',
  HUKOU_AT: '户籍地',
  LIVES_IN: '居住',
  IN_BUILDING: '所在楼栋',
  IN_COMPOUND: '所在小区',
  IN_GRID: '所在网格',
  IN_AREA: '所在片区',
  IN_COMMUNITY: '所属社区',
  IN_STREET: '所属街道',
  IN_DISTRICT: '所属区县',
  PART_OF: '属于',
  MERGED_INTO: '并入',
  CONTINUED_AS: '延续为',
  SUBORDINATE_TO: '上级',
  BASED_IN: '驻在',
  COVERS: '覆盖',
  PARTY_MEMBER_OF: '党员',
  REPORTED_TO: '报到',
  EVALUATES: '评议',
  ISSUED_BY: '评议方',
  LOCATED_IN: '位于',
  EMPLOYED_BY: '就职',
  PAIRED_WITH: '结对共建',
  IN_TEAM: '队员',
  SERVES_AS: '担任',
  OF_AREA: '所属片区',
  COLLECTIVE_MEMBER_OF: '集体成员',
};

export const edgeName = (type) => EDGES[type] ?? type;

const ENUMS = {
  M: '男', F: '女',
  FAMILY: '家庭户', COLLECTIVE: '集体户',
  OWNER: '自有', TENANT: '租住', OTHER: '其他',
  FULL: '正式党员', PROBATIONARY: '预备党员',
  COMMUNITY: '社区', VILLAGE: '村', ACTIVE: '正常', MERGED: '已合并',
  WORKING_COMMITTEE: '党工委', COMMITTEE: '党委', GENERAL_BRANCH: '党总支', BRANCH: '党支部', GROUP: '党小组',
  ORGAN: '机关', INSTITUTION: '事业单位', SOE: '国企', ENTERPRISE: '企业', SOCIAL_ORG: '社会组织',
  COMMERCIAL: '商品房', WORK_UNIT: '单位院', OLD: '老旧小区', RESETTLEMENT: '安置小区',
  GRID_WORKER: '网格员', GRID_LEADER: '网格长', BUILDING_HEAD: '楼栋长', AREA_HEAD: '片长', GROUP_HEAD: '组长',
  NEIGHBOR_HEAD: '邻长', COMPOUND_SECRETARY: '小区书记', COMMUNITY_SECRETARY: '社区书记',
  OWNERS_COMMITTEE: '业委会', PROPERTY_MANAGER: '物业', PARTY_CENTRAL_HOUSEHOLD: '党员中心户',
  GRID: '网格', BUILDING: '楼栋', COMPOUND: '小区', PARTY_ORG: '党组织', UNIT: '单位',
  HUKOU: '户籍', PARTY: '党组织关系', EXCELLENT: '优秀', QUALIFIED: '合格',
  BASICALLY_QUALIFIED: '基本合格', UNQUALIFIED: '不合格',
};

/** "租住" for TENANT; unknown codes are shown as they are. */
export const word = (code) => (code == null ? '' : ENUMS[code] ?? code);
