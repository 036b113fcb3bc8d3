RETURN COLLECT { CALL db.index.fulltext.queryNodes('entity_search', $p1) YIELD node AS node1, score AS score2 WHERE any(l IN labels(node1) WHERE l IN $p0) WITH node1, score2, node1.id AS id3 ORDER BY score2 DESC, id3 LIMIT $p2 WITH node1, score2, id3, head([l IN ['Company', 'Event', 'Executive', 'Market', 'Partner', 'Product', 'Source'] WHERE l IN labels(node1)]) AS label4 RETURN {`score`: score2, `node`: CASE label4 WHEN 'Company' THEN {`#type`: 'Company', `id`: id3, `country`: node1.country} WHEN 'Event' THEN {`#type`: 'Event', `id`: id3} WHEN 'Executive' THEN {`#type`: 'Executive', `id`: id3, `name`: node1.name} WHEN 'Market' THEN {`#type`: 'Market', `id`: id3} WHEN 'Partner' THEN {`#type`: 'Partner', `id`: id3} WHEN 'Product' THEN {`#type`: 'Product', `id`: id3} WHEN 'Source' THEN {`#type`: 'Source', `id`: id3} END} } AS f0,
       COLLECT { MATCH (n5:`Node` {id: $p3}) RETURN CASE head([l IN ['Company', 'Event', 'Executive', 'Market', 'Partner', 'Product', 'Source'] WHERE l IN labels(n5)]) WHEN 'Company' THEN {`#type`: 'Company', `id`: n5.id} WHEN 'Event' THEN {`#type`: 'Event', `id`: n5.id} WHEN 'Executive' THEN {`#type`: 'Executive', `id`: n5.id} WHEN 'Market' THEN {`#type`: 'Market', `id`: n5.id} WHEN 'Partner' THEN {`#type`: 'Partner', `id`: n5.id, `name`: n5.name} WHEN 'Product' THEN {`#type`: 'Product', `id`: n5.id} WHEN 'Source' THEN {`#type`: 'Source', `id`: n5.id} END }[0] AS f1
// params: {
  "p0": [
    "Executive",
    "Company"
  ],
  "p1": "(hugo^4 OR hugo*^2 OR hugo~1) AND (barr^4 OR barr*^2 OR barr~1)",
  "p2": 3,
  "p3": "flipkart"
}
