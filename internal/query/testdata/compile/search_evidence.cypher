RETURN COLLECT { UNWIND $p1 AS w1 CALL db.index.fulltext.queryRelationships('evidence_search', w1, {limit: 1000}) YIELD relationship AS r2, score AS score3 WHERE type(r2) IN $p0 WITH r2, count(*) AS matched4, sum(score3) AS score3 WITH r2, matched4, score3, startNode(r2) AS a5, endNode(r2) AS b6 WITH r2, matched4, score3, a5, b6, a5.id AS id7, b6.id AS id8 ORDER BY matched4 DESC, score3 DESC, id7, type(r2), id8, coalesce(r2.key, '') LIMIT $p2 WITH r2, matched4, score3, a5, b6, id7, id8, [ls IN [labels(a5)] | head([l IN ['Company', 'Event', 'Executive', 'Market', 'Partner', 'Product', 'Source'] WHERE l IN ls])][0] AS label9, [ls IN [labels(b6)] | head([l IN ['Company', 'Event', 'Executive', 'Market', 'Partner', 'Product', 'Source'] WHERE l IN ls])][0] AS label10, [i14 IN range(0, size(coalesce(r2.sentences, [])) - 1) WHERE any(t IN $p3 WHERE toLower(r2.sentences[i14]) CONTAINS t)] AS hit11 RETURN {`score`: score3, `matched`: matched4, `type`: type(r2), `from`: CASE label9 WHEN 'Company' THEN {`#type`: 'Company', `id`: id7} WHEN 'Event' THEN {`#type`: 'Event', `id`: id7} WHEN 'Executive' THEN {`#type`: 'Executive', `id`: id7, `name`: a5.name} WHEN 'Market' THEN {`#type`: 'Market', `id`: id7} WHEN 'Partner' THEN {`#type`: 'Partner', `id`: id7} WHEN 'Product' THEN {`#type`: 'Product', `id`: id7} WHEN 'Source' THEN {`#type`: 'Source', `id`: id7} END, `to`: CASE label10 WHEN 'Company' THEN {`#type`: 'Company', `id`: id8} WHEN 'Event' THEN {`#type`: 'Event', `id`: id8, `place`: b6.place} WHEN 'Executive' THEN {`#type`: 'Executive', `id`: id8} WHEN 'Market' THEN {`#type`: 'Market', `id`: id8} WHEN 'Partner' THEN {`#type`: 'Partner', `id`: id8} WHEN 'Product' THEN {`#type`: 'Product', `id`: id8} WHEN 'Source' THEN {`#type`: 'Source', `id`: id8} END, `evidence`: [i12 IN CASE WHEN size(hit11) = 0 THEN range(0, size(coalesce(r2.sentences, [])) - 1) ELSE hit11 END | {`sentence`: r2.sentences[i12], `source`: COLLECT { MATCH (s13:`Source` {id: r2.sources[i12]}) RETURN {`id`: s13.id, `title`: s13.title} }[0]}]} } AS f0,
       COLLECT { UNWIND $p4 AS w15 CALL db.index.fulltext.queryNodes('entity_search', w15, {limit: 1000}) YIELD node AS node16, score AS score17 WITH node16, count(*) AS matched18, sum(score17) AS score17 WITH node16, matched18, score17, node16.id AS id19 ORDER BY matched18 DESC, score17 DESC, id19 LIMIT $p5 WITH node16, matched18, score17, id19, [ls IN [labels(node16)] | head([l IN ['Company', 'Event', 'Executive', 'Market', 'Partner', 'Product', 'Source'] WHERE l IN ls])][0] AS label20 RETURN {`matched`: matched18, `node`: CASE label20 WHEN 'Company' THEN {`#type`: 'Company', `id`: id19} WHEN 'Event' THEN {`#type`: 'Event', `id`: id19} WHEN 'Executive' THEN {`#type`: 'Executive', `id`: id19} WHEN 'Market' THEN {`#type`: 'Market', `id`: id19} WHEN 'Partner' THEN {`#type`: 'Partner', `id`: id19} WHEN 'Product' THEN {`#type`: 'Product', `id`: id19} WHEN 'Source' THEN {`#type`: 'Source', `id`: id19} END} } AS f1
// params: {
  "p0": [
    "PARTICIPATED_IN",
    "MENTIONED_IN"
  ],
  "p1": [
    "(san^4 OR san*^2)",
    "(francisco^4 OR francisco*^2 OR francisco~1)",
    "(\\\"at\\\u0026t\\\"^4 OR \\\"at\\\u0026t\\\"*^2 OR \\\"at\\\u0026t\\\"~1)",
    "(c\\+\\+^4 OR c\\+\\+*^2 OR c\\+\\+~1)",
    "(a^4 OR a*^2)",
    "(or^4 OR or*^2)"
  ],
  "p2": 5,
  "p3": [
    "san",
    "francisco",
    "at\u0026t",
    "c",
    "a",
    "or"
  ],
  "p4": [
    "(san^4 OR san*^2)",
    "(francisco^4 OR francisco*^2 OR francisco~1)",
    "(\\\"at\\\u0026t\\\"^4 OR \\\"at\\\u0026t\\\"*^2 OR \\\"at\\\u0026t\\\"~1)",
    "(c\\+\\+^4 OR c\\+\\+*^2 OR c\\+\\+~1)",
    "(a^4 OR a*^2)",
    "(or^4 OR or*^2)"
  ],
  "p5": 10
}
