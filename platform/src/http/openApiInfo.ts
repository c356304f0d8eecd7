// What routes and apps say about themselves for the OpenAPI document, apart from the document's
// generator (`openApi.ts`, with @fastify/swagger and its UI), which the two APIs load on the first
// request for their docs.
import { z } from 'zod';
import { Problem } from '@reelay/contracts';

/** What an API says about itself in its OpenAPI document. */
export interface OpenApiInfo {
  readonly title: string;
  readonly description: string;
  readonly version?: string;
}

/** Where the browsable page is; the document itself is at `${DOCS_PREFIX}/openapi.json`. */
export const DOCS_PREFIX = '/docs';

/**
 * A success response a route sends itself, without a body schema for fastify to serialise (the
 * tus routes, whose answers @tus/server writes): described in the document only.
 */
export interface DocumentedResponse {
  readonly description: string;
  /** Response header name → what it carries. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Route `config` that the document reads. */
export interface OpenApiRouteConfig {
  /** Reachable without a bearer token. */
  readonly public?: boolean;
  /** Bodiless responses by status code, for the document only. */
  readonly documentedResponses?: Readonly<Record<number, DocumentedResponse>>;
}

/** Response schemas of the routes every service has (`/healthz`, `/readyz`, `/metrics`). */
export const OPS_RESPONSES = {
  healthz: { 200: z.object({ status: z.literal('ok') }).describe('The process is alive') },
  readyz: { 200: z.object({ status: z.literal('ready') }).describe('Every dependency is reachable'), 503: Problem.describe('A dependency is not reachable; the detail names it') },
  metrics: { 200: z.string().describe('Prometheus text exposition format') },
};
