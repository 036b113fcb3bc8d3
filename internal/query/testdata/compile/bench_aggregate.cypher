RETURN COLLECT { WITH COLLECT { MATCH (n1:`Event`)-[r2:`CONCERNS`]->(n3:`Market`) WHERE n3.id = $p0 WITH DISTINCT n1 RETURN n1 } AS xs4 CALL (xs4) { UNWIND xs4 AS n5 WITH n5.kind AS value6, count(*) AS count7 ORDER BY count7 DESC, value6 RETURN collect({`value`: toString(value6), `count`: count7}) AS part8 } RETURN {`count`: size(xs4), `countBy`: part8} }[0] AS f0
// params: {
  "p0": "market-1"
}
