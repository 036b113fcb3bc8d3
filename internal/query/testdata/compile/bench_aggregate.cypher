RETURN COLLECT { MATCH (n1:`Event`)-[r2:`CONCERNS`]->(n3:`Market`) WHERE n3.id = $p0 WITH DISTINCT n1 WITH n1.kind AS value4, count(*) AS count5 ORDER BY count5 DESC, value4 WITH sum(count5) AS total6, collect({`value`: toString(value4), `count`: count5}) AS part7 RETURN {`count`: total6, `countBy`: part7} }[0] AS f0
// params: {
  "p0": "market-1"
}
