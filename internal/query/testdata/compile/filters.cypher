RETURN COLLECT { MATCH (n1:`Company`) WHERE NOT (n1.id IN $p0) AND ((n1.country = $p1) OR (n1.headquarters IS NULL)) AND size(coalesce(n1.aliases, [])) > 0 AND NOT EXISTS { MATCH (n1)-[r4:`PARTICIPATED_IN`]->(n5:`Event`) WHERE NOT (r4.role <> $p2) } AND COUNT { MATCH (n1)-[r6:`PARTICIPATED_IN`]->(n7:`Event`) WHERE n7.amountUsd >= $p3 AND n7.kind = $p4 } = 1 AND EXISTS { MATCH (n1)<-[r8:`WORKS_FOR`]-(n9:`Executive`) WHERE n9.name ENDS WITH $p5 AND r8.title CONTAINS $p6 } AND toLower(n1.name) STARTS WITH toLower($p7) AND NOT EXISTS { MATCH (n1)-[r10:`HAS_PRODUCT`]->(n11:`Product`) WHERE n11.kind = $p8 } WITH n1 ORDER BY n1.name IS NULL, n1.name DESC, n1.id SKIP $p9 LIMIT $p10 RETURN {`id`: n1.id} } AS f0
// params: {
  "p0": [
    "apple",
    "samsung"
  ],
  "p1": "China",
  "p10": 5,
  "p2": "rival",
  "p3": 1000000000,
  "p4": "FUNDING",
  "p5": "Barra",
  "p6": "President",
  "p7": "xia",
  "p8": "tablet",
  "p9": 1
}
