RETURN COLLECT { UNWIND $p1 AS w1 CALL db.index.fulltext.queryNodes('entity_search', w1, {limit: 1000}) YIELD node AS node2, score AS score3 WHERE any(l IN labels(node2) WHERE l IN $p0) WITH node2, count(*) AS matched4, sum(score3) AS score3 WITH node2, matched4, score3, node2.id AS id5 ORDER BY matched4 DESC, score3 DESC, id5 LIMIT $p2 WITH node2, matched4, score3, id5, [ls IN [labels(node2)] | head([l IN ['Company', 'Event', 'Executive', 'Market', 'Partner', 'Product', 'Source'] WHERE l IN ls])][0] AS label6 RETURN {`score`: score3, `node`: CASE label6 WHEN 'Company' THEN {`#type`: 'Company', `id`: id5, `country`: node2.country} WHEN 'Event' THEN {`#type`: 'Event', `id`: id5} WHEN 'Executive' THEN {`#type`: 'Executive', `id`: id5, `name`: node2.name} WHEN 'Market' THEN {`#type`: 'Market', `id`: id5} WHEN 'Partner' THEN {`#type`: 'Partner', `id`: id5} WHEN 'Product' THEN {`#type`: 'Product', `id`: id5} WHEN 'Source' THEN {`#type`: 'Source', `id`: id5} END} } AS f0,
       COLLECT { MATCH (n7:`Node` {id: $p3}) RETURN CASE [ls IN [labels(n7)] | head([l IN ['Company', 'Event', 'Executive', 'Market', 'Partner', 'Product', 'Source'] WHERE l IN ls])][0] WHEN 'Company' THEN {`#type`: 'Company', `id`: n7.id} WHEN 'Event' THEN {`#type`: 'Event', `id`: n7.id} WHEN 'Executive' THEN {`#type`: 'Executive', `id`: n7.id} WHEN 'Market' THEN {`#type`: 'Market', `id`: n7.id} WHEN 'Partner' THEN {`#type`: 'Partner', `id`: n7.id, `name`: n7.name} WHEN 'Product' THEN {`#type`: 'Product', `id`: n7.id} WHEN 'Source' THEN {`#type`: 'Source', `id`: n7.id} END }[0] AS f1
// params: {
  "p0": [
    "Executive",
    "Company"
  ],
  "p1": [
    "(hugo^4 OR hugo*^2 OR hugo~1)",
    "(barr^4 OR barr*^2 OR barr~1)"
  ],
  "p2": 3,
  "p3": "flipkart"
}
