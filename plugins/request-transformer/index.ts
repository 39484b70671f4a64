/**
 * request-transformer: Kong's plugin — changes the request before it goes upstream: its method, its
 * whole path, headers, query arguments and top-level JSON body fields (remove, rename, replace, add,
 * append, in that order), with values that may be templates of the request's headers, query
 * arguments and named URI captures. Only a JSON body with body edits configured is read whole (up to
 * max_body_bytes); every other body streams as it comes.
 */
import { definePlugin, type RequestContext } from '../../src/plugin-kit/index.js';
import { editHeaders, editJsonBody, editQuery, encodePath, RequestValues } from './apply.js';
import { compilePlan } from './plan.js';
import { configSchema } from './schema.js';
import type { TemplateValues } from './template.js';

const NAME = 'request-transformer';
/** ctx.vars mark: this plugin asked for the body, so the body transform is its to make. */
const BODY_ASKED = 'body';
/** Values for templates that read nothing from the request. */
const NO_VALUES: TemplateValues = { header: () => undefined, query: () => undefined, capture: () => undefined };

function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().includes('application/json');
}

export default definePlugin({
  name: NAME,
  priority: 801,
  version: '1.0.0',
  configSchema,
  instantiate(config) {
    const plan = compilePlan(config);
    const valuesOf = (ctx: RequestContext): TemplateValues => (plan.readsRequest ? new RequestValues(ctx) : NO_VALUES);
    return {
      access(ctx) {
        const values = valuesOf(ctx);
        if (plan.uri !== null) ctx.setUpstreamPath(encodePath(plan.uri.render(values)));
        if (plan.method !== null) ctx.setUpstreamMethod(plan.method);
        if (plan.headers !== null) editHeaders(ctx, plan.headers, values);
        if (plan.query !== null) editQuery(ctx, plan.query, values);
        if (plan.body !== null && isJson(ctx.headers['content-type'])) {
          ctx.vars[NAME] = BODY_ASKED;
          ctx.bufferRequestBody(config.max_body_bytes);
        }
      },
      transformRequestBody(ctx, body) {
        if (ctx.vars[NAME] !== BODY_ASKED) return;
        return editJsonBody(ctx, body, plan.body!, valuesOf(ctx));
      },
    };
  },
});
