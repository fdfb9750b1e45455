MATCH (n:Person {pid: $key})
CALL { WITH n
  OPTIONAL MATCH (n)-[hm1:HUKOU_MEMBER]->(h0:Household)
  WHERE coalesce(hm1.since, '') <= $asOf AND (hm1.until IS NULL OR hm1.until > $asOf)
  CALL { WITH h0
    OPTIONAL MATCH (h0)-[ha4:HUKOU_AT]->(pl3)
    WHERE coalesce(ha4.since, '') <= $asOf AND (ha4.until IS NULL OR ha4.until > $asOf)
    RETURN head(collect(CASE WHEN pl3 IS NULL THEN null ELSE {__typename: labels(pl3)[0], code: pl3.code, name: pl3.name} END)) AS r5
  }
  RETURN head(collect(CASE WHEN h0 IS NULL THEN null ELSE {key: h0.key, type: h0.type, relToHead: hm1.relToHead, since: hm1.since, until: hm1.until, hukouPlace: r5} END)) AS r2
}
CALL { WITH n
  OPTIONAL MATCH (n)-[lr7:LIVES_IN]->(d6:Dwelling)
  WHERE coalesce(lr7.since, '') <= $asOf AND (lr7.until IS NULL OR lr7.until > $asOf)
  CALL { WITH d6
    OPTIONAL MATCH (d6)-[:IN_BUILDING]->(b9:Building)
    CALL { WITH b9
      OPTIONAL MATCH (b9)-[:IN_COMPOUND]->(x11:Compound)
      RETURN head(collect(CASE WHEN x11 IS NULL THEN null ELSE {__typename: 'Compound', id: x11.id, name: x11.name, type: x11.type} END)) AS r14
    }
    CALL { WITH b9
      OPTIONAL MATCH (b9)-[:IN_GRID]->(g12:Grid)
      RETURN head(collect(CASE WHEN g12 IS NULL THEN null ELSE {__typename: 'Grid', code: g12.code, name: g12.name} END)) AS r15
    }
    RETURN head(collect(CASE WHEN b9 IS NULL THEN null ELSE {__typename: 'Building', code: b9.code, name: b9.name, compound: r14, grid: r15} END)) AS r10
  }
  CALL { WITH d6
    OPTIONAL MATCH (d6)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[gc17:IN_COMMUNITY]->(c16:Community)
    WHERE coalesce(gc17.since, '') <= $asOf AND (gc17.until IS NULL OR gc17.until > $asOf)
    RETURN head(collect(CASE WHEN c16 IS NULL THEN null ELSE {__typename: 'Community', code: c16.code, name: c16.name} END)) AS r18
  }
  RETURN head(collect(CASE WHEN d6 IS NULL THEN null ELSE {since: lr7.since, until: lr7.until, tenure: lr7.tenure, dwelling: {__typename: 'Dwelling', id: d6.id, room: d6.room, building: r10}, community: r18} END)) AS r8
}
CALL { WITH n
  OPTIONAL MATCH (n)-[lr23:LIVES_IN]->(d22:Dwelling)
  WHERE coalesce(lr23.since, '') <= $asOf
  CALL { WITH d22, lr23
    OPTIONAL MATCH (d22)-[:IN_BUILDING]->(:Building)-[:IN_GRID]->(:Grid)-[gc26:IN_COMMUNITY]->(c25:Community)
    WHERE coalesce(gc26.since, '') <= lr23.since AND (gc26.until IS NULL OR gc26.until > lr23.since)
    RETURN head(collect(CASE WHEN c25 IS NULL THEN null ELSE {__typename: 'Community', code: c25.code, name: c25.name} END)) AS r27
  }
  WITH CASE WHEN d22 IS NULL THEN null ELSE {since: lr23.since, until: lr23.until, tenure: lr23.tenure, community: r27} END AS item, lr23.since AS sortKey ORDER BY sortKey
  RETURN collect(item) AS r24
}
CALL { WITH n
  OPTIONAL MATCH (n)-[pm32:PARTY_MEMBER_OF]->(o31:PartyOrg)
  WHERE coalesce(pm32.since, '') <= $asOf AND (pm32.until IS NULL OR pm32.until > $asOf)
  CALL { WITH o31
    OPTIONAL MATCH (o31)-[r35:BASED_IN]->(c34:Community)
    WHERE coalesce(r35.since, '') <= $asOf AND (r35.until IS NULL OR r35.until > $asOf)
    RETURN head(collect(CASE WHEN c34 IS NULL THEN null ELSE {__typename: 'Community', code: c34.code, name: c34.name} END)) AS r36
  }
  RETURN head(collect(CASE WHEN o31 IS NULL THEN null ELSE {type: pm32.type, joined: pm32.joined, since: pm32.since, until: pm32.until, org: {__typename: 'PartyOrg', orgId: o31.orgId, name: o31.name, level: o31.level, homeCommunity: r36}} END)) AS r33
}
CALL { WITH n
  OPTIONAL MATCH (n)-[rt42:REPORTED_TO]->(c41:Community)
  WHERE coalesce(rt42.since, '') <= $asOf AND (rt42.until IS NULL OR rt42.until > $asOf)
  RETURN head(collect(CASE WHEN c41 IS NULL THEN null ELSE {since: rt42.since, until: rt42.until, gridCode: rt42.gridCode, community: {__typename: 'Community', code: c41.code, name: c41.name}} END)) AS r43
}
CALL { WITH n
  OPTIONAL MATCH (n)-[em48:EMPLOYED_BY]->(u47:Unit)
  WHERE coalesce(em48.since, '') <= $asOf AND (em48.until IS NULL OR em48.until > $asOf)
  RETURN head(collect(CASE WHEN u47 IS NULL THEN null ELSE {since: em48.since, until: em48.until, unit: {__typename: 'Unit', uscc: u47.uscc, name: u47.name}} END)) AS r49
}
CALL { WITH n
  OPTIONAL MATCH (n)-[sa53:SERVES_AS]->(t52)
  WHERE coalesce(sa53.since, '') <= $asOf AND (sa53.until IS NULL OR sa53.until > $asOf)
  WITH CASE WHEN t52 IS NULL THEN null ELSE {role: sa53.role, since: sa53.since, until: sa53.until, scopeType: CASE WHEN t52:Community THEN 'COMMUNITY' WHEN t52:Grid THEN 'GRID' WHEN t52:Compound THEN 'COMPOUND' WHEN t52:Building THEN 'BUILDING' ELSE 'PARTY_ORG' END, scopeCode: coalesce(t52.code, t52.id, t52.orgId), scopeName: t52.name} END AS item, [sa53.since, sa53.role] AS sortKey ORDER BY sortKey
  RETURN collect(item) AS r54
}
CALL { WITH n
  OPTIONAL MATCH (n)-[it56:IN_TEAM]->(t55:VolunteerTeam)
  WHERE coalesce(it56.since, '') <= $asOf AND (it56.until IS NULL OR it56.until > $asOf)
  WITH CASE WHEN t55 IS NULL THEN null ELSE {role: it56.role, since: it56.since, until: it56.until, team: {__typename: 'VolunteerTeam', teamId: t55.teamId, name: t55.name}} END AS item, [it56.since, t55.teamId] AS sortKey ORDER BY sortKey
  RETURN collect(item) AS r57
}
CALL { WITH n
  OPTIONAL MATCH (n)-[cm59:COLLECTIVE_MEMBER_OF]->(o58:CollectiveOrg)
  WHERE coalesce(cm59.since, '') <= $asOf AND (cm59.until IS NULL OR cm59.until > $asOf)
  CALL { WITH o58
    OPTIONAL MATCH (o58)-[:OF_AREA]->(a61:Area)
    RETURN head(collect(CASE WHEN a61 IS NULL THEN null ELSE {__typename: 'Area', id: a61.id, name: a61.name} END)) AS r62
  }
  WITH CASE WHEN o58 IS NULL THEN null ELSE {since: cm59.since, until: cm59.until, org: {__typename: 'CollectiveOrg', uscc: o58.uscc, name: o58.name, area: r62}} END AS item, [cm59.since, o58.uscc] AS sortKey ORDER BY sortKey
  RETURN collect(item) AS r60
}
RETURN {__typename: 'Person', pid: n.pid, name: n.name, gender: n.gender, birthYear: n.birthYear, idNumberMasked: n.idNumberMasked, phoneMasked: n.phoneMasked, tags: coalesce(n.tags, []), household: r2, residence: r8, residenceHistory: r24, partyMembership: r33, reportedTo: r43, employer: r49, roles: r54, teams: r57, collectiveMemberships: r60} AS result
-- parameters
{
 "asOf": "2021-01-01",
 "key": "P003"
}
