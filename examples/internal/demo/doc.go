// Package demo holds what the time-series examples share: running an
// Elastic job over generated events, the analyst's record table, the PNG
// chart of a series with its bounds and anomalies, writing the job and
// events for examples/jobrun, and the test that jobrun agrees with an
// example.
package demo
