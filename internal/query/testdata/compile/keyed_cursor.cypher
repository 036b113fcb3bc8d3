RETURN COLLECT { WITH COLLECT { MATCH (n1:`Company`) WHERE n1.id IS NOT NULL AND n1.id > $p2 WITH n1 ORDER BY n1.id LIMIT $p3 RETURN [n1, n1.id] } AS rows2 WITH rows2, $p0 + CASE WHEN size(rows2) < $p1 THEN size(rows2) ELSE $p1 END AS hi3 RETURN {`pageInfo`: {`hasNextPage`: size(rows2) > $p1, `hasPreviousPage`: (size(rows2) > 0 OR EXISTS { MATCH (n1:`Company`) }), `startCursor`: CASE WHEN hi3 > $p0 THEN [$p0, rows2[0][1]] END, `endCursor`: CASE WHEN hi3 > $p0 THEN [hi3 - 1, rows2[hi3 - 1 - $p0][1]] END}, `edges`: COLLECT { UNWIND range($p0, hi3 - 1) AS i5 WITH i5, rows2[i5 - $p0][0] AS n4, rows2[i5 - $p0][1] AS k6 ORDER BY i5 RETURN {`cursor`: [i5, k6], `node`: {`id`: k6}} }} }[0] AS f0,
       COLLECT { WITH COLLECT { MATCH (n7:`Company`) WITH n7 ORDER BY n7.name IS NULL, n7.name ASC, n7.id SKIP $p4 LIMIT $p6 RETURN n7 } AS rows8 WITH rows8, $p4 + CASE WHEN size(rows8) < $p5 THEN size(rows8) ELSE $p5 END AS hi9 RETURN {`edges`: COLLECT { UNWIND range($p4, hi9 - 1) AS i11 WITH i11, rows8[i11 - $p4] AS n10 ORDER BY i11 RETURN {`cursor`: i11, `node`: {`id`: n10.id}} }} }[0] AS f1,
       COLLECT { WITH COLLECT { MATCH (n12:`Company`) WHERE n12.id IS NOT NULL WITH n12 ORDER BY n12.id RETURN [n12, n12.id] } AS rows13 WITH rows13, {s: CASE WHEN $p7 < size(rows13) THEN $p7 ELSE size(rows13) END, e: CASE WHEN size(rows13) > CASE WHEN $p7 < size(rows13) THEN $p7 ELSE size(rows13) END THEN size(rows13) ELSE CASE WHEN $p7 < size(rows13) THEN $p7 ELSE size(rows13) END END} AS w15 WITH rows13, {s: w15.s, e: w15.e} AS w16 WITH rows13, {s: CASE WHEN w16.s > w16.e - $p8 THEN w16.s ELSE w16.e - $p8 END, e: w16.e} AS b14 RETURN {`edges`: COLLECT { UNWIND range(b14.s, b14.e - 1) AS i18 WITH i18, rows13[i18][0] AS n17, rows13[i18][1] AS k19 ORDER BY i18 RETURN {`cursor`: [i18, k19], `node`: {`id`: k19}} }} }[0] AS f2
// params: {
  "p0": 4,
  "p1": 2,
  "p2": "company-9",
  "p3": 3,
  "p4": 4,
  "p5": 2,
  "p6": 3,
  "p7": 4,
  "p8": 2
}
