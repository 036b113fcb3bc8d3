RETURN COLLECT { MATCH (n1:`Event` {id: $p3}) RETURN {`name`: n1.name, `place`: n1.place, `executives`: COLLECT { MATCH (n1)<-[r2:`PARTICIPATED_IN`]-(n3:`Executive`) WITH r2, n3 ORDER BY n3.id, r2 LIMIT $p0 RETURN {`role`: r2.role, `title`: r2.title, `executive`: {`name`: n3.name}, `evidence`: [i4 IN range(0, size(coalesce(r2.sentences, [])) - 1) | {`sentence`: r2.sentences[i4], `source`: COLLECT { MATCH (s5:`Source` {id: r2.sources[i4]}) RETURN {`title`: s5.title} }[0]}]} }, `offers`: COLLECT { MATCH (n1)-[r6:`OFFERS`]->(n7:`Product`) WITH r6, n7 ORDER BY n7.id, r6 LIMIT $p1 RETURN {`expected`: r6.expected, `product`: {`name`: n7.name}} }, `excludes`: COLLECT { MATCH (n1)-[r8:`EXCLUDES`]->(n9:`Product`) WITH r8, n9 ORDER BY n9.id, r8 LIMIT $p2 RETURN {`reason`: r8.reason, `product`: {`name`: n9.name}, `evidence`: [i10 IN range(0, size(coalesce(r8.sentences, [])) - 1) | {`sentence`: r8.sentences[i10]}]} }} }[0] AS f0
// params: {
  "p0": 50,
  "p1": 50,
  "p2": 50,
  "p3": "xiaomi-us-announcement"
}
