RETURN COLLECT { MATCH (n1:`Company` {id: $p6}) RETURN {`subsidiaries`: COLLECT { MATCH (n1)-[r2:`OWNS`]->(n3:`Company`) WHERE r2.stakePercent >= $p0 WITH r2, n3 ORDER BY r2.stakePercent IS NULL, r2.stakePercent DESC, n3.id, r2 LIMIT $p1 RETURN {`stakePercent`: r2.stakePercent, `since`: r2.since, `owned`: {`id`: n3.id, `name`: n3.name}} }, `owners`: COLLECT { MATCH (n1)<-[r4:`OWNS`]-(n5:`Company`) WITH r4, n5 ORDER BY n5.id, r4 LIMIT $p2 RETURN {`until`: r4.until, `owner`: {`id`: n5.id}} }, `investmentsConnection`: COLLECT { WITH COLLECT { MATCH (n1)-[r6:`INVESTED_IN`]->(n7:`Company`) WITH r6, n7 ORDER BY n7.id, r6 SKIP $p3 LIMIT $p5 RETURN [r6, n7] } AS rows8 WITH rows8, $p3 + CASE WHEN size(rows8) < $p4 THEN size(rows8) ELSE $p4 END AS hi9 RETURN {`edges`: COLLECT { UNWIND range($p3, hi9 - 1) AS i11 WITH i11, rows8[i11 - $p3][0] AS r12, rows8[i11 - $p3][1] AS n10 ORDER BY i11 RETURN {`node`: {`amount`: r12.amount, `currency`: r12.currency, `round`: r12.round, `date`: r12.date, `investee`: {`id`: n10.id}}} }} }[0], `investorsAggregate`: {`count`: COUNT { MATCH (n1)<-[r13:`INVESTED_IN`]-(n14:`Company`) }, `amount`: COLLECT { WITH COLLECT { MATCH (n1)<-[r13:`INVESTED_IN`]-(n14:`Company`) WHERE r13.amount IS NOT NULL RETURN r13.amount } AS xs15 RETURN {`sum`: reduce(m17 = 0, x16 IN xs15 | m17 + x16)} }[0]}} }[0] AS f0
// params: {
  "p0": 50,
  "p1": 50,
  "p2": 50,
  "p3": 0,
  "p4": 2,
  "p5": 3,
  "p6": "walmart"
}
