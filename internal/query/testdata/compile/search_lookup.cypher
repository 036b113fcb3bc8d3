RETURN COLLECT { CALL db.index.fulltext.queryNodes('entity_search', $p1) YIELD node AS node1, score AS score2 WHERE any(l IN labels(node1) WHERE l IN $p0) WITH node1, score2 ORDER BY score2 DESC, node1.id LIMIT $p2 RETURN {`score`: score2, `node`: CASE WHEN node1:`Company` THEN {`#type`: 'Company', `id`: node1.id, `country`: node1.country} WHEN node1:`Event` THEN {`#type`: 'Event', `id`: node1.id} WHEN node1:`Executive` THEN {`#type`: 'Executive', `id`: node1.id, `name`: node1.name} WHEN node1:`Market` THEN {`#type`: 'Market', `id`: node1.id} WHEN node1:`Partner` THEN {`#type`: 'Partner', `id`: node1.id} WHEN node1:`Product` THEN {`#type`: 'Product', `id`: node1.id} WHEN node1:`Source` THEN {`#type`: 'Source', `id`: node1.id} END} } AS f0,
       COLLECT { MATCH (n3:`Node` {id: $p3}) RETURN CASE WHEN n3:`Company` THEN {`#type`: 'Company', `id`: n3.id} WHEN n3:`Event` THEN {`#type`: 'Event', `id`: n3.id} WHEN n3:`Executive` THEN {`#type`: 'Executive', `id`: n3.id} WHEN n3:`Market` THEN {`#type`: 'Market', `id`: n3.id} WHEN n3:`Partner` THEN {`#type`: 'Partner', `id`: n3.id, `name`: n3.name} WHEN n3:`Product` THEN {`#type`: 'Product', `id`: n3.id} WHEN n3:`Source` THEN {`#type`: 'Source', `id`: n3.id} END }[0] AS f1
// params: {
  "p0": [
    "Executive",
    "Company"
  ],
  "p1": "(hugo^4 OR hugo*^2 OR hugo~1) AND (barr^4 OR barr*^2 OR barr~1)",
  "p2": 3,
  "p3": "flipkart"
}
