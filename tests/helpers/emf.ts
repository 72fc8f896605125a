// The rules of CloudWatch's embedded metric format, for tests that read EMF lines.

/** The rules of the embedded metric format a record must follow for CloudWatch to extract it. */
export function emfProblems(record: any): string[] {
  const problems: string[] = [];
  const meta = record._aws;
  if (!meta || typeof meta.Timestamp !== 'number') problems.push('_aws.Timestamp must be a number (ms)');
  if (!Array.isArray(meta?.CloudWatchMetrics) || meta.CloudWatchMetrics.length === 0) return [...problems, '_aws.CloudWatchMetrics must be a non-empty array'];
  for (const directive of meta.CloudWatchMetrics) {
    if (typeof directive.Namespace !== 'string' || !/^[^:].{0,254}$/.test(directive.Namespace)) problems.push('Namespace');
    for (const set of directive.Dimensions) {
      if (!Array.isArray(set) || set.length > 30) problems.push('a dimension set has at most 30 keys');
      for (const key of set) if (typeof record[key] !== 'string' || record[key].length === 0 || record[key].length > 1024) problems.push(`dimension ${key} must be a string member`);
    }
    if (directive.Metrics.length > 100) problems.push('at most 100 metrics');
    for (const m of directive.Metrics) {
      if (typeof record[m.Name] !== 'number') problems.push(`metric ${m.Name} must be a number member`);
      if (!['Count', 'Milliseconds', 'Seconds', 'Bytes', 'None'].includes(m.Unit)) problems.push(`unit ${m.Unit}`);
    }
  }
  return problems;
}

