RETURN COLLECT { MATCH (n1:`Company`) WHERE n1.id IS NOT NULL WITH n1 ORDER BY n1.id LIMIT $p3 RETURN {`id`: n1.id, `events`: COLLECT { MATCH (n1)-[r2:`PARTICIPATED_IN`]->(n3:`Event`) WITH r2, n3 ORDER BY n3.id, r2 LIMIT $p2 RETURN {`role`: r2.role, `event`: {`name`: n3.name, `executives`: COLLECT { MATCH (n3)<-[r4:`PARTICIPATED_IN`]-(n5:`Executive`) WITH r4, n5 ORDER BY n5.id, r4 LIMIT $p1 RETURN {`executive`: {`name`: n5.name, `employers`: COLLECT { MATCH (n5)-[r6:`WORKS_FOR`]->(n7:`Company`) WITH r6, n7 ORDER BY n7.id, r6 LIMIT $p0 RETURN {`title`: r6.title, `company`: {`id`: n7.id}} }}} }}} }} } AS f0
// params: {
  "p0": 50,
  "p1": 50,
  "p2": 50,
  "p3": 50
}
