RETURN COLLECT { MATCH (n1:`Company` {id: $p4}) RETURN {`evidence`: COLLECT { MATCH (n1)-[m2:`MENTIONED_IN`]->(s3) WITH m2 ORDER BY s3.id UNWIND [i4 IN range(0, size(coalesce(m2.sentences, [])) - 1) WHERE coalesce(m2.methods[i4], 'MANUAL') IN $p0 | {`sentence`: m2.sentences[i4], `method`: coalesce(m2.methods[i4], 'MANUAL'), `confidence`: coalesce(m2.confidences[i4], 1.0)}] AS e RETURN e }, `executives`: COLLECT { MATCH (n1)<-[r5:`WORKS_FOR`]-(n6:`Executive`) WITH r5, n6 ORDER BY n6.id, r5 LIMIT $p1 RETURN {`title`: r5.title, `evidence`: [i7 IN range(0, size(coalesce(r5.sentences, [])) - 1) | {`method`: coalesce(r5.methods[i7], 'MANUAL'), `confidence`: coalesce(r5.confidences[i7], 1.0), `source`: COLLECT { MATCH (s8:`Source` {id: r5.sources[i7]}) RETURN {`id`: s8.id} }[0]}]} }, `markets`: COLLECT { MATCH (n1)-[r9:`IN_MARKET`]->(n10:`Market`) WITH r9, n10 ORDER BY n10.id, r9 LIMIT $p3 RETURN {`evidence`: [i11 IN range(0, size(coalesce(r9.sentences, [])) - 1) WHERE coalesce(r9.methods[i11], 'MANUAL') IN $p2 | {`sentence`: r9.sentences[i11], `confidence`: coalesce(r9.confidences[i11], 1.0)}]} }} }[0] AS f0
// params: {
  "p0": [
    "MANUAL"
  ],
  "p1": 50,
  "p2": [
    "EXTRACTED",
    "DATASET"
  ],
  "p3": 50,
  "p4": "xiaomi"
}
