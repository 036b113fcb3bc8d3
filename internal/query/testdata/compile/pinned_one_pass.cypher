RETURN COLLECT { MATCH (n1:`Event`)-[r2:`CONCERNS`]->(n3:`Market`) WHERE n3.id = $p0 AND n1.kind = $p1 WITH DISTINCT n1 WITH n1.kind AS value4, count(*) AS count5, min(n1.amountUsd) AS k8, max(n1.amountUsd) AS k10 ORDER BY count5 DESC, value4 WITH sum(count5) AS total6, collect({`value`: toString(value4), `count`: count5}) AS part7, min(k8) AS t9, max(k10) AS t11 RETURN {`count`: total6, `countBy`: part7, `amountUsd`: {`min`: t9, `max`: t11}} }[0] AS f0,
       COLLECT { MATCH (n12:`Company`)<-[r13:`WORKS_FOR`]-(n14:`Executive`) WHERE n14.id IN $p2 AND r13.title CONTAINS $p3 AND n12.id IS NOT NULL WITH DISTINCT n12 WITH n12 ORDER BY n12.id LIMIT $p4 RETURN {`id`: n12.id} } AS f1,
       COLLECT { WITH COLLECT { MATCH (n15:`Company`) WHERE n15.id IS NOT NULL WITH n15 ORDER BY n15.id SKIP $p5 LIMIT $p7 RETURN [n15, n15.id] } AS rows16 WITH rows16, $p5 + CASE WHEN size(rows16) < $p6 THEN size(rows16) ELSE $p6 END AS hi17 RETURN {`totalCount`: COUNT { MATCH (n15:`Company`) }, `pageInfo`: {`hasNextPage`: size(rows16) > $p6, `hasPreviousPage`: (size(rows16) > 0 OR EXISTS { MATCH (n15:`Company`) }), `startCursor`: CASE WHEN hi17 > $p5 THEN [$p5, rows16[0][1]] END, `endCursor`: CASE WHEN hi17 > $p5 THEN [hi17 - 1, rows16[hi17 - 1 - $p5][1]] END}, `edges`: COLLECT { UNWIND range($p5, hi17 - 1) AS i19 WITH i19, rows16[i19 - $p5][0] AS n18, rows16[i19 - $p5][1] AS k20 ORDER BY i19 RETURN {`cursor`: [i19, k20], `node`: {`id`: k20}} }} }[0] AS f2,
       COLLECT { WITH COLLECT { MATCH (n21:`Event`) WHERE n21.id IS NOT NULL WITH n21 ORDER BY n21.id SKIP $p8 LIMIT $p10 RETURN [n21, n21.id] } AS rows22 WITH rows22, $p8 + CASE WHEN size(rows22) < $p9 THEN size(rows22) ELSE $p9 END AS hi23 RETURN {`edges`: COLLECT { UNWIND range($p8, hi23 - 1) AS i25 WITH i25, rows22[i25 - $p8][0] AS n24, rows22[i25 - $p8][1] AS k26 ORDER BY i25 RETURN {`node`: {`id`: k26}} }, `pageInfo`: {`hasNextPage`: size(rows22) > $p9}} }[0] AS f3
// params: {
  "p0": "us",
  "p1": "FUNDING",
  "p10": 2,
  "p2": [
    "hugo-barra"
  ],
  "p3": "VP",
  "p4": 5,
  "p5": 4,
  "p6": 2,
  "p7": 3,
  "p8": 4,
  "p9": 1
}
