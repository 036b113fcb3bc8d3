RETURN COLLECT { WITH COLLECT { MATCH (n1:`Event`) WHERE n1.id IS NOT NULL WITH n1 ORDER BY n1.id SKIP $p0 LIMIT $p2 RETURN [n1, n1.id] } AS rows2 WITH rows2, $p0 + CASE WHEN size(rows2) < $p1 THEN size(rows2) ELSE $p1 END AS hi3 RETURN {`totalCount`: COUNT { MATCH (n1:`Event`) }, `edges`: COLLECT { UNWIND range($p0, hi3 - 1) AS i5 WITH i5, rows2[i5 - $p0][0] AS n4, rows2[i5 - $p0][1] AS k6 ORDER BY i5 RETURN {`cursor`: [i5, k6], `node`: {`id`: k6, `name`: n4.name}} }, `pageInfo`: {`hasNextPage`: size(rows2) > $p1, `endCursor`: CASE WHEN hi3 > $p0 THEN [hi3 - 1, rows2[hi3 - 1 - $p0][1]] END}} }[0] AS f0
// params: {
  "p0": 0,
  "p1": 20,
  "p2": 21
}
