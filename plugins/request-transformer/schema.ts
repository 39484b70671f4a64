/**
 * Config of the request-transformer plugin: Kong's option names, defaults and entry checks — every
 * `name:value` entry is read and its template compiled here, so a config that loads cannot fail a
 * request for its own reasons — plus Gatehouse's `max_body_bytes`.
 */
import { isHeaderName, splitNameValue, z } from '../../src/plugin-kit/index.js';
import { Template, TemplateError } from './template.js';

/** Bodies up to this size are transformed; a longer one goes upstream untouched. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

type Check = (entry: string, issue: (message: string) => void) => void;

const headerName = (name: string, issue: (message: string) => void) => {
  if (!isHeaderName(name)) issue(`'${name}' is not a valid header`);
};

/** Kong's check_for_value, and the template compiled. */
const needsValue: Check = (entry, issue) => {
  const { name, value } = splitNameValue(entry);
  if (name === '' || value === '') return issue(`key '${name}' has no value`);
  try {
    Template.compile(value);
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    issue(`value '${value}' is not in supported format, error: ${error.message}`);
  }
};

/** Bytes no header value may carry (the rendered value of a template is checked per request). */
export const UNSENDABLE_IN_HEADER = /[\0\r\n]/;

const headerValue: Check = (entry, issue) => {
  const { name, value } = splitNameValue(entry);
  headerName(name, issue);
  needsValue(entry, issue);
  if (UNSENDABLE_IN_HEADER.test(value)) issue(`the value of '${name}' holds a line break or NUL, which a header cannot carry`);
};

const headerRename: Check = (entry, issue) => {
  const { name, value } = splitNameValue(entry);
  headerName(name, issue);
  if (value === '') return issue(`key '${name}' has no value`);
  headerName(value, issue);
};

const entries = (description: string, check: Check | null) =>
  z
    .array(
      check === null
        ? z.string().min(1)
        : z.string().superRefine((entry, ctx) => check(entry, (message) => ctx.addIssue({ code: 'custom', message }))),
    )
    .default([])
    .describe(description);

const removals = () =>
  z
    .strictObject({
      headers: z
        .array(z.string().superRefine((name, ctx) => headerName(name, (message) => ctx.addIssue({ code: 'custom', message }))))
        .default([])
        .describe('Headers removed from the upstream request.'),
      querystring: entries('Query arguments removed.', null),
      body: entries('Top-level JSON body fields removed.', null),
    })
    .prefault({});

const changes = (verb: string, headerCheck: Check) => ({
  headers: entries(`Headers ${verb}, as "name:value" (value may be a template).`, headerCheck),
  querystring: entries(`Query arguments ${verb}, as "name:value".`, needsValue),
  body: entries(`Top-level JSON body fields ${verb}, as "name:value" (a string value).`, needsValue),
});

export const configSchema = z.lazy(() =>
  z.strictObject({
    http_method: z
      .string()
      .regex(/^[A-Z]+$/, 'must be an upper-case HTTP method')
      .nullish()
      .describe('Method sent upstream instead of the client\'s.'),
    remove: removals().describe('Removed: header and query argument names, top-level JSON body fields.'),
    rename: z
      .strictObject({
        headers: entries('Headers renamed, as "old:new".', headerRename),
        querystring: entries('Query arguments renamed, as "old:new".', needsValue),
        body: entries('Top-level JSON body fields renamed, as "old:new".', needsValue),
      })
      .prefault({})
      .describe('Renamed, where present.'),
    replace: z
      .strictObject({
        ...changes('replaced where present (Host always)', headerValue),
        uri: z
          .string()
          .startsWith('/')
          .superRefine((uri, ctx) => {
            try {
              Template.compile(uri);
            } catch (error) {
              if (!(error instanceof TemplateError)) throw error;
              ctx.addIssue({ code: 'custom', message: error.message });
            }
          })
          .nullish()
          .describe('The whole path sent upstream (may be a template), replacing the one made from the route and service.'),
      })
      .prefault({})
      .describe('Replaced, where present.'),
    add: z.strictObject(changes('added where absent', headerValue)).prefault({}).describe('Added, where absent.'),
    append: z.strictObject(changes('appended (one more value)', headerValue)).prefault({}).describe('Appended as one more value.'),
    max_body_bytes: z
      .int()
      .min(0)
      .default(DEFAULT_MAX_BODY_BYTES)
      .describe('JSON bodies up to this size are transformed (the body is read whole first); a longer one goes upstream untouched, as it streams.'),
  }),
);

export type RequestTransformerConfig = z.output<typeof configSchema>;
