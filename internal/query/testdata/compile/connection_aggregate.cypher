RETURN COLLECT { WITH COLLECT { MATCH (n1:`Event`) WHERE n1.unitsSold > $p0 AND n1.id IS NOT NULL WITH n1 ORDER BY n1.id RETURN n1 } AS rows2 WITH rows2, {s: 0, e: CASE WHEN CASE WHEN $p1 < size(rows2) THEN $p1 ELSE size(rows2) END > 0 THEN CASE WHEN $p1 < size(rows2) THEN $p1 ELSE size(rows2) END ELSE 0 END} AS w4 WITH rows2, {s: w4.s, e: w4.e} AS w5 WITH rows2, {s: CASE WHEN w5.s > w5.e - $p2 THEN w5.s ELSE w5.e - $p2 END, e: w5.e} AS b3 RETURN {`totalCount`: size(rows2), `pageInfo`: {`hasNextPage`: b3.e < size(rows2), `hasPreviousPage`: b3.s > 0, `startCursor`: CASE WHEN b3.e > b3.s THEN b3.s END, `endCursor`: CASE WHEN b3.e > b3.s THEN b3.e - 1 END}, `edges`: COLLECT { UNWIND range(b3.s, b3.e - 1) AS i7 WITH i7, rows2[i7] AS n6 ORDER BY i7 RETURN {`cursor`: i7, `node`: {`id`: n6.id, `unitsSold`: n6.unitsSold}} }} }[0] AS f0,
       COLLECT { WITH COLLECT { MATCH (n8:`Event`) WHERE n8.status = $p3 RETURN n8 } AS xs9 CALL (xs9) { UNWIND xs9 AS n10 WITH n10 WHERE n10.unitsSold IS NOT NULL WITH min(n10.unitsSold) AS k11, max(n10.unitsSold) AS k12, avg(n10.unitsSold) AS k13, sum(n10.unitsSold) AS k14 RETURN {`min`: k11, `max`: k12, `avg`: k13, `sum`: k14} AS part15 } CALL (xs9) { UNWIND xs9 AS n10 WITH n10.kind AS value16, count(*) AS count17 ORDER BY count17 DESC, value16 RETURN collect({`value`: toString(value16), `count`: count17}) AS part18 } RETURN {`count`: size(xs9), `unitsSold`: part15, `byKind`: part18} }[0] AS f1,
       COLLECT { MATCH (n19:`Company` {id: $p7}) RETURN {`productsConnection`: COLLECT { WITH COLLECT { MATCH (n19)-[r20:`HAS_PRODUCT`]->(n21:`Product`) WITH r20, n21 ORDER BY n21.name IS NULL, n21.name ASC, n21.id, r20 SKIP $p4 LIMIT $p6 RETURN [r20, n21] } AS rows22 WITH rows22, $p4 + CASE WHEN size(rows22) < $p5 THEN size(rows22) ELSE $p5 END AS hi23 RETURN {`edges`: COLLECT { UNWIND range($p4, hi23 - 1) AS i25 WITH i25, rows22[i25 - $p4][0] AS r26, rows22[i25 - $p4][1] AS n24 ORDER BY i25 RETURN {`node`: {`product`: {`name`: n24.name}}} }} }[0], `eventsAggregate`: {`count`: COUNT { MATCH (n19)-[r27:`PARTICIPATED_IN`]->(n28:`Event`) }, `countBy`: COLLECT { UNWIND COLLECT { MATCH (n19)-[r27:`PARTICIPATED_IN`]->(n28:`Event`) RETURN DISTINCT r27.role } AS value29 WITH value29, COUNT { MATCH (n19)-[r27:`PARTICIPATED_IN`]->(n28:`Event`) WHERE (r27.role = value29 OR (value29 IS NULL AND r27.role IS NULL)) } AS count30 RETURN {`value`: toString(value29), `count`: count30} ORDER BY count30 DESC, value29 }}} }[0] AS f2
// params: {
  "p0": 0,
  "p1": 3,
  "p2": 2,
  "p3": "occurred",
  "p4": 0,
  "p5": 3,
  "p6": 4,
  "p7": "xiaomi"
}
