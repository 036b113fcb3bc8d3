RETURN [rows2 IN [COLLECT { MATCH (n1:`Event`) WHERE n1.unitsSold > $p0 WITH n1 ORDER BY n1.id RETURN n1 }] | [b3 IN [{s: CASE WHEN CASE WHEN $p1 < size(rows2) THEN $p2 ELSE size(rows2) END - $p3 > 0 THEN CASE WHEN $p1 < size(rows2) THEN $p2 ELSE size(rows2) END - $p3 ELSE 0 END, e: CASE WHEN $p1 < size(rows2) THEN $p2 ELSE size(rows2) END}] | {totalCount: size(rows2), pageInfo: {hasNextPage: b3.e < size(rows2), hasPreviousPage: b3.s > 0, startCursor: CASE WHEN b3.e > b3.s THEN b3.s END, endCursor: CASE WHEN b3.e > b3.s THEN b3.e - 1 END}, edges: COLLECT { UNWIND range(b3.s, b3.e - 1) AS i4 WITH i4, rows2[i4] AS n1 RETURN {cursor: i4, node: {id: n1.id, unitsSold: n1.unitsSold}} ORDER BY i4 }}][0]][0] AS f0,
       {count: COUNT { MATCH (n5:`Event`) WHERE n5.status = $p4 }, unitsSold: COLLECT { MATCH (n5:`Event`) WHERE n5.status = $p4 AND n5.unitsSold IS NOT NULL WITH min(n5.unitsSold) AS k9, max(n5.unitsSold) AS k10, avg(n5.unitsSold) AS k11, sum(n5.unitsSold) AS k12 RETURN {min: k9, max: k10, avg: k11, sum: k12} }[0], _rel: {`byKind`: COLLECT { MATCH (n5:`Event`) WHERE n5.status = $p4 WITH n5.kind AS value13, count(*) AS count14 RETURN {value: toString(value13), count: count14} ORDER BY count14 DESC, value13 }}} AS f1,
       COLLECT { MATCH (n15:`Company` {id: $p6}) RETURN {_rel: {`productsConnection`: [rows18 IN [COLLECT { MATCH (n15)-[r16:`HAS_PRODUCT`]->(n17:`Product`) WITH r16, n17 ORDER BY n17.name IS NULL, n17.name ASC, n17.id, elementId(r16) RETURN [r16, n17] }] | [b19 IN [{s: 0, e: CASE WHEN 0 + $p5 < size(rows18) THEN 0 + $p5 ELSE size(rows18) END}] | {edges: COLLECT { UNWIND range(b19.s, b19.e - 1) AS i20 WITH i20, rows18[i20][0] AS r16, rows18[i20][1] AS n17 RETURN {node: {product: {name: n17.name}}} ORDER BY i20 }}][0]][0], `eventsAggregate`: {count: COUNT { MATCH (n15)-[r21:`PARTICIPATED_IN`]->(n22:`Event`) }, _rel: {`countBy`: COLLECT { UNWIND COLLECT { MATCH (n15)-[r21:`PARTICIPATED_IN`]->(n22:`Event`) RETURN DISTINCT r21.role } AS value23 WITH value23, COUNT { MATCH (n15)-[r21:`PARTICIPATED_IN`]->(n22:`Event`) WHERE (r21.role = value23 OR (value23 IS NULL AND r21.role IS NULL)) } AS count24 RETURN {value: toString(value23), count: count24} ORDER BY count24 DESC, value23 }}}}} }[0] AS f2
// params: {
  "p0": 0,
  "p1": 3,
  "p2": 3,
  "p3": 2,
  "p4": "occurred",
  "p5": 3,
  "p6": "xiaomi"
}
