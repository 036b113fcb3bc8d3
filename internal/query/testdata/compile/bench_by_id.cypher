RETURN COLLECT { MATCH (n1:`Company` {id: $p1}) RETURN {`id`: n1.id, `name`: n1.name, `country`: n1.country, `executives`: COLLECT { MATCH (n1)<-[r2:`WORKS_FOR`]-(n3:`Executive`) WITH r2, n3 ORDER BY n3.id, r2 LIMIT $p0 RETURN {`title`: r2.title, `executive`: {`id`: n3.id, `name`: n3.name}} }} }[0] AS f0
// params: {
  "p0": 50,
  "p1": "c1"
}
