/** Config of the response-transformer plugin: Kong's option names, defaults and entry checks, plus Gatehouse's `max_body_bytes`. */
import { isHeaderName, splitNameValue, z } from '../../src/plugin-kit/index.js';

/** Bodies up to this size are transformed; a longer one reaches the client untouched. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const JSON_TYPES = ['boolean', 'number', 'string'] as const;

type Issue = (message: string) => void;
const checked = (check: (entry: string, issue: Issue) => void) =>
  z.string().superRefine((entry, ctx) => check(entry, (message) => ctx.addIssue({ code: 'custom', message })));

const headerName = (name: string, issue: Issue) => {
  if (!isHeaderName(name)) issue(`'${name}' is not a valid header`);
};
/** Kong's `^[^:]+:.*$`: a name, a colon, and a value (an empty value makes the entry do nothing, as in Kong). */
const pair = (entry: string, issue: Issue) => {
  if (!/^[^:]+:/.test(entry)) issue(`'${entry}' must be "name:value"`);
};
const headerPair = (entry: string, issue: Issue) => {
  pair(entry, issue);
  headerName(splitNameValue(entry).name, issue);
};
const headerRename = (entry: string, issue: Issue) => {
  pair(entry, issue);
  const { name, value } = splitNameValue(entry);
  headerName(name, issue);
  if (value !== '') headerName(value, issue);
};

const list = <T extends z.ZodType>(element: T, description: string) => z.array(element).default([]).describe(description);

const jsonTypes = () => list(z.enum(JSON_TYPES), 'Types of the json values, by position: boolean, number or string (the default).');

const withValues = (verb: string) =>
  z
    .strictObject({
      headers: list(checked(headerPair), `Headers ${verb}, as "name:value".`),
      json: list(checked(pair), `Top-level JSON body fields ${verb}, as "name:value".`),
      json_types: jsonTypes(),
    })
    .prefault({});

export const configSchema = z.lazy(() =>
  z.strictObject({
    remove: z
      .strictObject({
        headers: list(checked(headerName), 'Headers removed from the answer.'),
        json: list(z.string().min(1), 'Top-level JSON body fields removed.'),
      })
      .prefault({})
      .describe('Removed.'),
    rename: z
      .strictObject({
        headers: list(checked(headerRename), 'Headers renamed, as "old:new".'),
        json: list(checked(pair), 'Top-level JSON body fields renamed, as "old:new".'),
      })
      .prefault({})
      .describe('Renamed, where present.'),
    replace: withValues('replaced where present').describe('Replaced, where present.'),
    add: withValues('added where absent').describe('Added, where absent.'),
    append: withValues('appended (one more value)').describe('Appended as one more value.'),
    max_body_bytes: z
      .int()
      .min(0)
      .default(DEFAULT_MAX_BODY_BYTES)
      .describe('JSON bodies up to this size are transformed (held whole first); a longer one reaches the client untouched, as it streams.'),
  }),
);

export type ResponseTransformerConfig = z.output<typeof configSchema>;
