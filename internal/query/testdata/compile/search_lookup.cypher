RETURN COLLECT { CALL db.index.fulltext.queryNodes('entity_search', $p0) YIELD node AS node1, score AS score2 WHERE any(l IN labels(node1) WHERE l IN $p1) RETURN {score: score2, _rel: {`node`: CASE WHEN node1:`Company` THEN {id: node1.id, country: node1.country, __typename: 'Company'} WHEN node1:`Event` THEN {id: node1.id, __typename: 'Event'} WHEN node1:`Executive` THEN {id: node1.id, name: node1.name, __typename: 'Executive'} WHEN node1:`Market` THEN {id: node1.id, __typename: 'Market'} WHEN node1:`Partner` THEN {id: node1.id, __typename: 'Partner'} WHEN node1:`Product` THEN {id: node1.id, __typename: 'Product'} WHEN node1:`Source` THEN {id: node1.id, __typename: 'Source'} END}} ORDER BY score2 DESC, node1.id LIMIT $p2 } AS f0,
       (COLLECT { MATCH (n3:`Company` {id: $p3}) RETURN {id: n3.id, __typename: 'Company'} } + COLLECT { MATCH (n4:`Event` {id: $p3}) RETURN {id: n4.id, __typename: 'Event'} } + COLLECT { MATCH (n5:`Executive` {id: $p3}) RETURN {id: n5.id, __typename: 'Executive'} } + COLLECT { MATCH (n6:`Market` {id: $p3}) RETURN {id: n6.id, __typename: 'Market'} } + COLLECT { MATCH (n7:`Partner` {id: $p3}) RETURN {id: n7.id, name: n7.name, __typename: 'Partner'} } + COLLECT { MATCH (n8:`Product` {id: $p3}) RETURN {id: n8.id, __typename: 'Product'} } + COLLECT { MATCH (n9:`Source` {id: $p3}) RETURN {id: n9.id, __typename: 'Source'} })[0] AS f1
// params: {
  "p0": "(hugo^4 OR hugo*^2 OR hugo~1) AND (barr^4 OR barr*^2 OR barr~1)",
  "p1": [
    "Executive",
    "Company"
  ],
  "p2": 3,
  "p3": "flipkart"
}
