RETURN COLLECT { MATCH (n1:`Company` {id: $p2}) RETURN {`id`: n1.id, `name`: n1.name, `aliases`: coalesce(n1.aliases, []), `first`: COLLECT { MATCH (n1)-[r2:`IN_MARKET`]->(n3:`Market`) WITH r2, n3 ORDER BY n3.id, r2 LIMIT $p0 RETURN {`status`: r2.status, `market`: {`name`: n3.name}} }, `again`: COLLECT { MATCH (n1)-[r4:`IN_MARKET`]->(n5:`Market`) WITH r4, n5 ORDER BY n5.id, r4 LIMIT $p1 RETURN {`since`: r4.since, `market`: {`id`: n5.id}} }, `headquarters`: n1.headquarters} }[0] AS f0,
       COLLECT { MATCH (n6:`Source`) WHERE n6.id IS NOT NULL WITH n6 ORDER BY n6.id LIMIT $p4 RETURN {`title`: n6.title, `companies`: COLLECT { MATCH (n6)<-[r7:`MENTIONED_IN`]-(n8:`Company`) WITH r7, n8 ORDER BY n8.id, r7 LIMIT $p3 RETURN {`id`: n8.id, `name`: n8.name, `aliases`: coalesce(n8.aliases, [])} }} } AS f1
// params: {
  "p0": 50,
  "p1": 50,
  "p2": "xiaomi",
  "p3": 50,
  "p4": 50
}
