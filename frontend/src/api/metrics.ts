/** Metrics, dashboards and drift through the generated client (backend metrics_api and drift modules). */
import { api, unwrap } from "./client";
import type { components, operations } from "./schema";

type Schemas = components["schemas"];
export type Overview = Schemas["OverviewOut"];
export type DashboardLinks = Schemas["LinksOut"];
export type Series = Schemas["SeriesOut"];
export type SeriesGroup = Schemas["SeriesGroup"];
export type Drift = Schemas["DriftOut"];
export type DriftReport = Schemas["DriftReportOut"];
export type SeriesQuery = operations["get_metrics_api_metrics_get"]["parameters"]["query"];

export const metricsKeys = {
  overview: (days: number) => ["metrics", "overview", days] as const,
  links: ["metrics", "links"] as const,
  series: (query: SeriesQuery) => ["metrics", "series", query] as const,
  drift: (modelId: string) => ["metrics", "drift", modelId] as const,
};

/** Start of a window of `days` days ending now, rounded to the minute so query keys stay stable. */
export function since(days: number, now = Date.now()): string {
  return new Date(Math.floor((now - days * 86_400_000) / 60_000) * 60_000).toISOString();
}

export const metricsApi = {
  overview: (days: number) => unwrap(api.GET("/api/dashboards/overview", { params: { query: { start: since(days) } } })),
  links: () => unwrap(api.GET("/api/dashboards/links")),
  series: (query: SeriesQuery) => unwrap(api.GET("/api/metrics", { params: { query } })),
  drift: (modelId: string) =>
    unwrap(api.GET("/api/models/{model_id}/drift", { params: { path: { model_id: modelId }, query: { limit: 10 } } })),
};
