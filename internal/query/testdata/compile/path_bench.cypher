RETURN COLLECT { OPTIONAL MATCH (a1:`Node` {id: $p0}) WHERE a1:`Company`|`Event`|`Executive`|`Market`|`Partner`|`Product` OPTIONAL MATCH (b2:`Node` {id: $p1}) WHERE b2:`Company`|`Event`|`Executive`|`Market`|`Partner`|`Product` RETURN CASE WHEN a1 IS NULL THEN {missing: $p0} WHEN b2 IS NULL THEN {missing: $p1} WHEN a1 = b2 THEN {paths: [{`length`: size([]), `nodes`: [n7 IN [a1] | {`id`: n7.id}]}]} ELSE {paths: COLLECT { WITH a1, b2 WHERE a1 <> b2 MATCH p3 = shortestPath((a1)-[:`ABOUT`|`CITES_DIFFICULTY`|`CONCERNS`|`EXCLUDES`|`FOUNDED`|`HAS_PRODUCT`|`INVESTED_IN`|`IN_CATEGORY`|`IN_MARKET`|`LAUNCHES`|`OFFERS`|`OWNS`|`PARTICIPATED_IN`|`PARTNERED_WITH`|`PART_OF`|`REACTED_TO`|`SELLS`|`WORKS_FOR`*1..4]-(b2)) WITH nodes(p3) AS ns4, relationships(p3) AS rs5 RETURN {`length`: size(rs5), `nodes`: [n6 IN ns4 | {`id`: n6.id}]} }} END }[0] AS f0
// params: {
  "p0": "hugo-barra",
  "p1": "flipkart"
}
