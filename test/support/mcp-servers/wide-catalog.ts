// A deterministic catalog of many realistic tools (e.g. 200), for tool-search tests and the token benchmark.

const DOMAINS = [
  ['crm', 'customer', 'customers'],
  ['billing', 'invoice', 'invoices'],
  ['shipping', 'shipment', 'shipments'],
  ['inventory', 'stock item', 'stock items'],
  ['support', 'ticket', 'tickets'],
  ['hr', 'employee', 'employees'],
  ['calendar', 'event', 'events'],
  ['docs', 'document', 'documents'],
  ['analytics', 'report', 'reports'],
  ['git', 'pull request', 'pull requests'],
] as const;

const ACTIONS = [
  [
    'list',
    'Lists {plural} with optional filters (status, owner, created after/before), newest first, paginated.',
  ],
  ['get', 'Returns one {singular} by id with every field, its history and related records.'],
  ['create', 'Creates a {singular} from the given fields and returns it with its new id.'],
  ['update', 'Updates fields of a {singular} by id; fields not given are left as they are.'],
  ['delete', 'Deletes a {singular} by id (soft delete; it can be restored for 30 days).'],
  ['search', 'Full-text search over {plural}: matches in titles, bodies and comments, ranked by relevance.'],
  ['export', 'Exports {plural} matching a filter as CSV or JSON; large exports are paginated.'],
  ['count', 'Counts {plural} matching a filter, grouped by a field when asked.'],
  ['archive', 'Archives a {singular} by id so it no longer shows in default listings.'],
  ['restore', 'Restores an archived or deleted {singular} by id.'],
  ['comment', 'Adds a comment to a {singular}; mentions notify the people named.'],
  ['assign', 'Assigns a {singular} to a person or team; the assignee is notified.'],
  ['tag', 'Adds or removes tags on a {singular}.'],
  ['history', 'Returns the change history of a {singular}: who changed what, when.'],
  ['link', 'Links a {singular} to another record (any type) with a relation name.'],
  ['watch', 'Subscribes the caller to changes of a {singular}.'],
  ['merge', 'Merges two {plural} into one, keeping the history of both.'],
  ['validate', 'Checks a {singular} against the schema and business rules; returns every problem.'],
  ['summarize', 'Summarizes {plural} matching a filter: counts, totals and notable outliers.'],
  ['import', 'Imports {plural} from CSV or JSON rows; returns created, updated and rejected rows.'],
] as const;

export interface WideTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** `count` tools (at most 200): every domain × action, named `<domain>_<action>_<noun>`. */
export function wideCatalog(count = 200): WideTool[] {
  const tools: WideTool[] = [];
  for (const [action, template] of ACTIONS) {
    for (const [domain, singular, plural] of DOMAINS) {
      if (tools.length >= count) return tools;
      const noun = (
        action === 'list' || action === 'search' || action === 'export' || action === 'count'
          ? plural
          : singular
      ).replace(/ /g, '_');
      tools.push({
        name: `${domain}_${action}_${noun}`,
        description: template.replace('{singular}', singular).replace('{plural}', plural),
        inputSchema: {
          type: 'object',
          properties: {
            id: { type: 'string', description: `id of the ${singular}` },
            filter: {
              type: 'object',
              description: 'field → value; values may be ranges {from, to}',
              additionalProperties: true,
            },
            fields: {
              type: 'array',
              items: { type: 'string' },
              description: 'fields to return (default all)',
            },
            limit: { type: 'integer', minimum: 1, maximum: 500, description: 'page size' },
            cursor: { type: 'string', description: 'from the previous page' },
          },
        },
      });
    }
  }
  return tools;
}
