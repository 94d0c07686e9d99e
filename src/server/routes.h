// The route groups of the API server, each added by one function. Handlers
// throw Error; the server turns it into a problem-details response.
#pragma once

#include <httplib.h>

#include "server/api_server.h"

namespace macropipe::server {

// Pipelines, runs, task instances, tries, logs, pools and rate budgets.
void AddRunRoutes(httplib::Server& http, const ServerContext& context);

// Tables, series, observations, vintages, revisions and SQL queries.
void AddWarehouseRoutes(httplib::Server& http, const ServerContext& context,
                        const ServerOptions& options);

// Stored forecasts: quantiles, accumulated values, importances and attention.
void AddForecastRoutes(httplib::Server& http, const ServerContext& context);

// Stored backtests: RMSE and MAE ratios to the random walk, Diebold-Mariano
// tests against AO12 and quantile scores, per window, model and horizon.
void AddBacktestRoutes(httplib::Server& http, const ServerContext& context);

// GET /metrics in Prometheus text format.
void AddMetricsRoute(httplib::Server& http, const ServerContext& context,
                     const RequestMetrics& metrics);

// The page and its scripts, styles and chart library.
void AddPageRoutes(httplib::Server& http);

}  // namespace macropipe::server
