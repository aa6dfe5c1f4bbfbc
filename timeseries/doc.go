// Package timeseries runs Elastic-style anomaly-detection jobs inside a Go
// program: bucketed, streaming, per-entity models of counts and metrics,
// with Elastic's vocabulary, job JSON and result documents, and no cluster.
//
//	job, err := timeseries.New(timeseries.Job{
//		Detectors:   []timeseries.Detector{{Function: "high_count", ByFieldName: "destination.port"}},
//		Influencers: []string{"source.ip"},
//	})                                         // or timeseries.FromElasticJSON(r)
//	res, err := job.Observe(ev)                // closed buckets' results, as time passes
//	res, err = job.Flush()                     // close the open bucket(s)
//	snap, err := job.MarshalBinary()           // restore and continue bit-identically
//
// # Jobs and functions
//
// A Job holds Elastic's analysis_config: BucketSpan (5m), Detectors,
// Influencers, SummaryCountField, Latency, MemoryLimit (1 GiB), PruneWindow
// (30 d), plus Sensitivity and AdaptationRate, which Elastic lacks.
// ParseElasticJSON reads Elastic's create-job JSON with its datafeed query;
// a setting Vigil does not implement is an error naming it (ErrUnsupported),
// never ignored. Functions: count, high_count, low_count, non_zero_count,
// high_/low_non_zero_count, distinct_count, high_/low_distinct_count, mean
// (avg), high_/low_mean, min, max, sum, high_/low_sum, non_null_sum,
// high_/low_non_null_sum, varp, high_/low_varp, median, high_/low_median,
// info_content, high_/low_info_content, metric, with by and partition fields. rare, freq_rare,
// time_of_day, time_of_week and over_field_name (population analysis) run
// beside the per-series engine (ext.go and the files it names); combinations Elastic
// forbids (non_zero_count or non_null_sum with over, rare without by, count
// with field_name, ...) are ErrConfig errors.
//
// # How buckets are fed
//
// Each (detector, partition value, by value) is a series with its own model
// (internal/tsmodel): seasonal (daily, weekday/weekend), robust to the
// anomalies it sees, with Elastic's multi-bucket feature. For count,
// distinct_count and sum an empty bucket is a zero once the entity has been
// seen; as Elastic, empty buckets of entities present in fewer than half of
// their buckets are learnt with weight clamp(2·occupancy, 1e-6, 1) and not
// scored. non_zero_count, non_null_sum and the metric functions skip empty
// buckets. min is tested on the low side, max on the high side, high_ and
// low_ functions on their side, the rest on both. distinct_count is exact
// (64-bit hashes of the values) up to Job.ExactDistinct values per series
// and bucket, then a HyperLogLog sketch of precision 14 (standard error
// 0.81%). Sums are compensated (Neumaier), so out-of-order events within
// Latency give the same results as ordered ones.
//
// varp is the bucket's population variance of field_name (weighted by the
// summary count, as mean) from compensated sums of x and x², order-free;
// its relative rounding error is about 1e-16·mean²/variance. median is
// exact up to MedianExact values per series and bucket (the middle value,
// or the mean of the two middle values), then read from a log-bucketed
// quantile sketch with relative error MedianRelErr (1%). info_content is
// the deflate (compress/flate, best compression) length in bytes of the
// bucket's distinct strings of field_name, sorted and joined by newlines,
// each cut to InfoMaxLen bytes; beyond InfoMaxValues distinct strings the
// ones of smallest 64-bit hash are kept (a sample independent of event
// order) and the length is scaled by the k-minimum-values estimate of the
// distinct count over the sample size; at the job's memory limit the
// sample stops growing the same way, and median moves to its sketch early
// (both accounted in model_bytes). Empty buckets are zero for
// info_content (an event-rate feature, as in Elastic) and skipped for varp
// and median. All three run over a population as well. metric is mean
// (two-sided), min (low side) and max (high side) of field_name in one
// detector, each with its own model: its records carry function "metric"
// and function_description "mean", "min" or "max" (Record.FunctionDescription).
// As in Elastic it cannot be used with summary_count_field_name (ErrConfig);
// unlike Elastic, metric over a population and forecasts of metric are
// refused (ErrUnsupported; use mean, min and max detectors instead), and
// its rules may test actual and typical (Elastic allows only time
// conditions). lat_long is refused with ErrUnsupported.
//
// # Population, rare and time of day
//
// With over_field_name, each over value (a person) is compared in each
// bucket with the population of all people's values for the same partition
// and by value: a normal model on ln(1+x), with a Poisson spread floor for
// counts, beside a smoothed decayed histogram, whichever tail is larger (a
// group far above the rest is its own precedent). A person's probability
// combines the by values it touched as Elastic's population style: the
// geometric mean of the joint probability of its rare values and the m-of-n
// extreme (m ≤ 5); the record carries over_field_value, up to ten causes
// (by value, probability, actual, typical) and the top cause's actual and
// typical. rare and freq_rare run on package rare, fed each (entity, value)
// pair once at the bucket's close; partitioned and population rarity joins
// the entity's view with the population's, a young entity's rarity counts
// as p^min(1, age/20 buckets), and records (actual 1, typical = probability)
// are scored with RarityScore, which reaches 100 at 1e-5 because a rarity
// cannot be smaller than one over the history. time_of_day and time_of_week
// model the local wall-clock time of an entity's events on the circle, in
// Detector.TimeZone or Job.TimeZone (JSON analysis_config.time_zone, a
// Vigil extension; UTC without it), so midnight has no seam and a
// daylight-saving switch moves nothing. These detectors keep per open
// bucket one accumulator per (partition, by, over) key, whose key string
// is allocated once per key and bucket (the per-series detectors do not
// allocate for known entities). See ext.go, population.go, rarefn.go and
// timeofday.go.
//
// # Rules, calendars and forecasts
//
// A Detector's Rules are Elastic's custom_rules: actions skip_result and
// skip_model_update, conditions on actual, typical, diff_from_typical
// (|actual − typical|) and time (the bucket start in epoch seconds) with
// gt, gte, lt, lte, all of which must hold, and scopes that keep a rule to
// by, over or partition values in (or not in) a Filter; filter items match
// exactly or with a leading and/or trailing "*". Filters live in
// Job.Filters (job JSON: a top-level "filters" array of Elastic's filter
// documents). Calendars of ScheduledEvents (Job.Calendars, job JSON: a
// top-level "calendars" array, event times in epoch milliseconds;
// Engine.AddCalendar while running) suppress every record of the buckets
// they touch and keep the models from learning them; the bucket results are
// still written, with score 0, as Elastic. For rare and freq_rare a
// rule's skip_model_update is not applied (package rare scores and learns
// a value in one step; skip_result is applied, and calendars apply in
// full).
// Force_time_shift and anything else Vigil does not implement is an error
// naming the field. Engine.Forecast predicts the count and metric series
// ahead of the last closed bucket with 95% bounds (ForecastPoint, Elastic's
// model_forecast document), up to the history's length; population jobs,
// rare, freq_rare and time_of_* cannot be forecast, as in Elastic. Bounds
// covered 96.5% of a held-back week of a seasonal series, for mean and
// for count (TestForecastCoverage, 5 seeds, 3,360 buckets each).
//
// # Porting Elastic jobs
//
// Documents: ParseElasticJSON reads a create-job body (with or without
// datafeed_config), the get-jobs API's answer holding one job, a Kibana
// module's job file (no job_id) and a module entry {"id", "config"};
// ParseElasticJobs and ParseElasticJob (one job by id) also read the
// modules API's {"jobs", "datafeeds"}, integration packages' ml-module
// saved objects ({"attributes": {...}, "type": "ml-module"}) and the array
// of {"job", "datafeed"} that Kibana's job export writes, attaching to
// each job the datafeed whose job_id names it; ParseElasticDatafeed reads a
// separate datafeed file (Kibana's "JOB_ID" placeholder names any job).
// examples/jobrun takes them as -job, -job-id and -datafeed. Each field is
// one of:
//
//   - Applied: job_id; analysis_config bucket_span, detectors (function,
//     field_name, by_, over_, partition_field_name, exclude_frequent,
//     use_null, detector_description, custom_rules), influencers,
//     summary_count_field_name, latency, model_prune_window;
//     analysis_limits.model_memory_limit; data_description time_field,
//     time_format, format (json or xcontent); model_plot_config enabled and
//     terms; the datafeed's query (the subset Query documents). Vigil's own:
//     analysis_config.time_zone, detectors[].time_zone, top-level filters,
//     calendars and vigil {sensitivity, adaptation_rate, exact_distinct}.
//   - Accepted with no effect (storage, scheduling, display): description,
//     groups, job_type, job_version, create_time, finished_time,
//     custom_settings (created_by, security_app_display_name, custom_urls,
//     job_tags, threat_tactics, ...), results_index_name,
//     results_retention_days, renormalization_window_days (scores are never
//     renormalised), model_snapshot_retention_days,
//     daily_model_snapshot_retention_after_days, background_persist_interval,
//     allow_lazy_open, blocked, deleting, model_snapshot_id,
//     model_snapshot_min_version, analysis_limits.categorization_examples_limit,
//     detectors[].detector_index, model_plot_config.annotations_enabled,
//     per_partition_categorization.stop_on_warn; the datafeed's datafeed_id,
//     job_id (checked against the job's), indices, indexes, indices_options,
//     scroll_size, frequency, query_delay, chunking_config,
//     delayed_data_check_config, max_empty_searches, authorization,
//     runtime_mappings and script_fields of fields the job does not read,
//     and empty aggregations; a module's id, title,
//     description, type, logo, logoFile, defaultIndexPattern, kibana, tags
//     and recognition query; a saved object's id, references and migration
//     versions.
//   - Read as Elasticsearch would see the documents: a datafeed hands its job
//     the time field as epoch milliseconds whatever the documents hold, so a
//     datafeed job's time_format "epoch_ms" (what Kibana writes) reads the
//     documents' times as Elasticsearch's default date mapping does (RFC 3339
//     or epoch milliseconds). match and match_phrase match whole values, as
//     on ECS keyword fields; on ECS ip fields (*.ip) a term or terms value
//     "10.0.0.0/8" matches the block and range orders addresses, as on
//     Elasticsearch's ip type; range and exists on the job's time field
//     test the event's time (bounds in the job's time_format, RFC 3339 or
//     epoch milliseconds), as on a date field. In NDJSON events [] is an absent field and [v]
//     is v; a field only the query reads may hold several values and
//     matches if any does, as in Elasticsearch; several values in a field
//     the analysis reads make the line bad (counted, reported).
//   - Refused with ErrUnsupported naming the field, because each would change
//     what is analysed: the function lat_long, and metric with
//     over_field_name; categorization
//     (categorization_field_name, categorization_filters,
//     categorization_analyzer, per_partition_categorization.enabled true);
//     multivariate_by_fields true; runtime_mappings and script_fields that
//     define a field the job reads, and non-empty aggregations (Vigil
//     analyses events as they are: compute derived fields before the job);
//     query types outside the subset (query_string beyond the one term on
//     one field that Kibana writes for a KQL wildcard,
//     simple_query_string, regexp, fuzzy, ids, nested, script, terms
//     lookup, ...), date math and formats in range, match options that
//     analyse (analyzer, fuzziness, ...) and match on ECS text fields
//     (message, error.message, error.stack_trace, *.text); clauses on the
//     job's time field other than range and exists; a custom rule's
//     force_time_shift; and any field not listed here.
//
// # Scores
//
// A record is emitted for every scored series whose probability is below
// 0.05. Its record_score is ProbabilityScore(p), a fixed log-linear map
// (p = 0.05 → 0, 1e-3 → 25.4, 1e-5 → 55.2, 4.7e-7 → 75, ≤ 1e-8 → 100);
// Sensitivity s reports p^s first. Scores never depend on later data and
// are never rewritten: initial_record_score always equals record_score.
// Severity bands are Elastic's: warning, minor, major, critical at 0, 25,
// 50, 75. An influencer value's influence is Elastic's (for sum-like
// functions 1 − ln P(without it)/ln P, for the others ln P(only it)/ln P;
// values below 0.4 are dropped); its probability is p^influence and its
// influencer_score the score of that. A bucket's anomaly_score is its
// largest record score; bucket_influencers hold, per influencer field, the
// best influencer score, and "bucket_time" the bucket's.
//
// # Memory
//
// Every series, partition value, index entry, open-bucket accumulator,
// influencer contribution and distinct-count set is charged a fixed number
// of bytes (struct sizes plus map slack); the arena is charged at capacity.
// A new entity whose charge would take model_bytes over MemoryLimit is
// refused, counted (Stats.Refused, bucket_allocation_failures_count) and
// reported as memory_status hard_limit in the bucket's ModelSizeStats; above
// 60% (soft_limit) idle entities are pruned sooner (the prune window shrinks
// by 10% per bucket, to 2 buckets at least). Accounted bytes therefore never
// exceed the limit, and the Go heap they stand for stayed below it too
// (0.88× an 8 MiB limit after 10,000,000 new entities, TestMemoryLimitFlood
// with VIGIL_FLOOD=10000000). The margin is the per-bucket
// distinct-count sets of existing series, which may grow while a bucket is
// open (each is bounded by ExactDistinct values or one 16 KiB sketch).
//
// # State
//
// The unit of state is the partition value: a series belongs to exactly one
// partition, and nothing but the job-wide counters and the memory account
// is shared, so a distributed runner can give each worker a hash range of
// PartitionHash values. Hashes are fixed (FNV-1a with a splitmix64
// finaliser), never seeded per process. MarshalBinary writes the job and all
// state in internal/codec's checksummed, versioned format; UnmarshalBinary
// rejects corrupt input with ErrCorrupt without panicking (fuzzed).
//
// An Engine is not safe for concurrent use; distinct Engines share
// nothing. Observe does not allocate for events of known entities (no
// influencers, or influencers that are the detector's own fields), nor does
// it retain the Event's strings.
package timeseries
