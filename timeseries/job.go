package timeseries

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-ml/vigil/internal/check"
)

const pkg = "timeseries"

// Defaults of a Job, Elastic's where Elastic has one.
const (
	// DefaultBucketSpan is Elastic's default bucket_span.
	DefaultBucketSpan = 5 * time.Minute
	// DefaultPruneWindow is Elastic's default model_prune_window (jobs
	// created since 8.1).
	DefaultPruneWindow = 30 * 24 * time.Hour
	// DefaultMemoryLimit is Elastic's default model_memory_limit (1024mb).
	DefaultMemoryLimit int64 = 1 << 30
	// DefaultExactDistinct is the number of distinct values per series and
	// bucket that distinct_count counts exactly before it switches to a
	// HyperLogLog sketch.
	DefaultExactDistinct = 1000
)

// Job configures an anomaly-detection job, in Elastic's vocabulary. The zero
// value of every field means the documented default; a Job needs at least
// one Detector.
type Job struct {
	// ID is Elastic's job_id; it is copied into every result.
	ID string
	// BucketSpan is the aggregation interval (bucket_span), a whole number
	// of seconds; 0 means 5 minutes.
	BucketSpan time.Duration
	// Detectors are the analyses the job runs over every event.
	Detectors []Detector
	// Influencers are fields blamed for anomalies (analysis_config.influencers).
	Influencers []string
	// SummaryCountField names a field holding the number of raw events an
	// input document stands for (summary_count_field_name): the count
	// functions add it instead of 1 and mean weights by it.
	SummaryCountField string
	// Latency is how long after a bucket's end out-of-order events are still
	// accepted into it; later events are counted and dropped. 0 (Elastic's
	// default) closes a bucket as soon as an event of a later bucket arrives.
	Latency time.Duration
	// MemoryLimit bounds the job's accounted model bytes
	// (model_memory_limit); 0 means 1 GiB. See the package doc for the
	// accounting and its margin.
	MemoryLimit int64
	// PruneWindow drops the state of entities not seen for this long
	// (model_prune_window); 0 means 30 days, negative disables pruning.
	PruneWindow time.Duration
	// Sensitivity scales how strongly improbable buckets are scored: the
	// model's probability p is reported as p^Sensitivity before it is mapped
	// to a score, so 2 makes every anomaly score as if it were twice as
	// improbable (in log terms) and 0.5 half. 0 means 1 (Elastic's
	// behaviour; Elastic has no such knob).
	Sensitivity float64
	// AdaptationRate scales how fast the per-series models forget and adopt
	// a new normal: 2 learns twice as fast, 0.5 half as fast. 0 means 1.
	AdaptationRate float64
	// TimeField and TimeFormat are Elastic's data_description: the event
	// field holding the time and its format ("epoch_ms", "epoch", or a Java
	// date pattern). Observe takes the time from Event.Time; these fields
	// tell readers of raw documents (examples/jobrun) where to find it.
	// Empty TimeField means "@timestamp"; empty TimeFormat accepts RFC 3339
	// strings and epoch-millisecond numbers.
	TimeField, TimeFormat string
	// TimeZone is the IANA time zone ("Europe/Berlin") in which
	// time_of_day and time_of_week read the local wall-clock time of
	// events; empty means UTC. A Detector's TimeZone overrides it. Elastic
	// has no such setting; in job JSON it is analysis_config.time_zone (and
	// detectors[i].time_zone), and JSON without it behaves as Elastic (UTC).
	TimeZone string
	// Query keeps only the events it matches (Elastic's datafeed query); nil
	// keeps all. Filtered events are counted in Stats.
	Query *Query
	// ModelPlot adds to every bucket result the model's typical value and
	// 95% bounds of each series (Elastic's model_plot_config.enabled);
	// ModelPlotTerms, if set, keeps only series whose by or partition value
	// is listed (model_plot_config.terms). It costs a result per series and
	// bucket, so it is meant for charts and small jobs.
	ModelPlot      bool
	ModelPlotTerms []string
	// ExactDistinct is the number of distinct values per series and bucket
	// counted exactly before distinct_count switches to a HyperLogLog sketch
	// (precision 14, standard error 0.81%); 0 means 1000.
	ExactDistinct int
	// Filters are the filter lists that the detectors' rule scopes name by
	// ID (Elastic keeps them apart from jobs; in job JSON they are the
	// top-level "filters" array of {filter_id, description, items}).
	Filters []Filter
	// Calendars hold scheduled events during which results are suppressed
	// and models do not learn (in job JSON the top-level "calendars" array;
	// see Calendar and Engine.AddCalendar).
	Calendars []Calendar
}

// Detector is one analysis of a job (an element of analysis_config.detectors).
type Detector struct {
	// Function is Elastic's function name: count, high_count, low_count,
	// non_zero_count, high_non_zero_count, low_non_zero_count,
	// distinct_count, high_distinct_count, low_distinct_count, mean (avg),
	// high_mean, low_mean, min, max, sum, high_sum, low_sum, non_null_sum,
	// high_non_null_sum, low_non_null_sum, varp, high_varp, low_varp,
	// median, high_median, low_median, info_content, high_info_content,
	// low_info_content, metric, rare, freq_rare, time_of_day, time_of_week.
	Function string
	// FieldName is the analysed field (field_name): numeric for the metric
	// and sum functions, any value for distinct_count and info_content,
	// empty for counts.
	FieldName string
	// ByFieldName splits the analysis so that each value is modelled against
	// its own history.
	ByFieldName string
	// OverFieldName asks for population analysis: each value (a person)
	// is compared with the model of the whole population in each bucket,
	// and its probability combines the by values it touched.
	OverFieldName string
	// PartitionFieldName splits the job into independent partitions.
	PartitionFieldName string
	// ExcludeFrequent is "all", "none" (or empty), "by" or "over": results of
	// by-values present in more than 10% of the job's buckets (after 20
	// buckets) are suppressed; their models still learn.
	ExcludeFrequent string
	// UseNull models events lacking the by or partition field as the value
	// "" instead of skipping them for this detector (Elastic's use_null).
	UseNull bool
	// Description is Elastic's detector_description.
	Description string
	// TimeZone overrides Job.TimeZone for this time_of_day or time_of_week
	// detector (detectors[i].time_zone in job JSON; Vigil's extension).
	TimeZone string
	// Rules are the detector's custom rules (custom_rules; see Rule).
	Rules []Rule
}

// side of the test a function asks for, as the per-series model takes it.
type side uint8

const (
	twoSided side = iota
	highSide
	lowSide
)

// feature is what a function measures per bucket.
type feature uint8

const (
	featCount feature = iota
	featNonZeroCount
	featDistinct
	featMean
	featMin
	featMax
	featSum
	featNonNullSum
)

// fn describes a supported function.
type fn struct {
	feat       feature
	side       side
	needsField bool // field_name required (else forbidden)
	population bool // may be used with over_field_name (Elastic's isPopulation)
}

var functions = map[string]fn{
	"count":               {featCount, twoSided, false, true},
	"high_count":          {featCount, highSide, false, true},
	"low_count":           {featCount, lowSide, false, true},
	"non_zero_count":      {featNonZeroCount, twoSided, false, false},
	"nzc":                 {featNonZeroCount, twoSided, false, false},
	"high_non_zero_count": {featNonZeroCount, highSide, false, false},
	"high_nzc":            {featNonZeroCount, highSide, false, false},
	"low_non_zero_count":  {featNonZeroCount, lowSide, false, false},
	"low_nzc":             {featNonZeroCount, lowSide, false, false},
	"distinct_count":      {featDistinct, twoSided, true, true},
	"dc":                  {featDistinct, twoSided, true, true},
	"high_distinct_count": {featDistinct, highSide, true, true},
	"high_dc":             {featDistinct, highSide, true, true},
	"low_distinct_count":  {featDistinct, lowSide, true, true},
	"low_dc":              {featDistinct, lowSide, true, true},
	"mean":                {featMean, twoSided, true, true},
	"avg":                 {featMean, twoSided, true, true},
	"high_mean":           {featMean, highSide, true, true},
	"high_avg":            {featMean, highSide, true, true},
	"low_mean":            {featMean, lowSide, true, true},
	"low_avg":             {featMean, lowSide, true, true},
	"min":                 {featMin, lowSide, true, true},
	"max":                 {featMax, highSide, true, true},
	"sum":                 {featSum, twoSided, true, true},
	"high_sum":            {featSum, highSide, true, true},
	"low_sum":             {featSum, lowSide, true, true},
	"non_null_sum":        {featNonNullSum, twoSided, true, false},
	"nns":                 {featNonNullSum, twoSided, true, false},
	"high_non_null_sum":   {featNonNullSum, highSide, true, false},
	"high_nns":            {featNonNullSum, highSide, true, false},
	"low_non_null_sum":    {featNonNullSum, lowSide, true, false},
	"low_nns":             {featNonNullSum, lowSide, true, false},
}

// Functions Elastic has that land with the population/rare/time issue: they
// parse and are refused with ErrUnsupported naming the function.
var comingFunctions = map[string]bool{
	"rare": true, "freq_rare": true, "time_of_day": true, "time_of_week": true,
}

// Functions Elastic has that Vigil does not implement.
var otherElasticFunctions = map[string]bool{
	"median": true, "high_median": true, "low_median": true,
	"varp": true, "high_varp": true, "low_varp": true, "metric": true,
	"info_content": true, "high_info_content": true, "low_info_content": true,
	"lat_long": true,
}

func (j *Job) withDefaults() Job {
	c := *j
	if c.BucketSpan == 0 {
		c.BucketSpan = DefaultBucketSpan
	}
	if c.MemoryLimit == 0 {
		c.MemoryLimit = DefaultMemoryLimit
	}
	if c.PruneWindow == 0 {
		c.PruneWindow = DefaultPruneWindow
	}
	if c.Sensitivity == 0 {
		c.Sensitivity = 1
	}
	if c.AdaptationRate == 0 {
		c.AdaptationRate = 1
	}
	if c.ExactDistinct == 0 {
		c.ExactDistinct = DefaultExactDistinct
	}
	if c.TimeField == "" {
		c.TimeField = "@timestamp"
	}
	c.Detectors = append([]Detector(nil), j.Detectors...)
	c.Influencers = append([]string(nil), j.Influencers...)
	c.ModelPlotTerms = append([]string(nil), j.ModelPlotTerms...)
	return c
}

func configErr(format string, args ...any) error {
	return check.Errorf(pkg, check.ErrConfig, format, args...)
}

// Validate reports the first invalid setting of the job (with its defaults
// applied), as Elastic's job validation would, naming the field.
func (j *Job) Validate() error {
	c := j.withDefaults()
	return c.validate()
}

func (c *Job) validate() error {
	if c.BucketSpan < time.Second || c.BucketSpan%time.Second != 0 {
		return configErr("bucket_span %v must be a positive whole number of seconds", c.BucketSpan)
	}
	if c.Latency < 0 {
		return configErr("latency %v must not be negative", c.Latency)
	}
	if c.MemoryLimit < 1<<20 {
		return configErr("model_memory_limit %d bytes is below the minimum of 1mb", c.MemoryLimit)
	}
	if c.PruneWindow > 0 && c.PruneWindow < 2*c.BucketSpan {
		return configErr("model_prune_window %v must be at least 2 × bucket_span (%v)", c.PruneWindow, 2*c.BucketSpan)
	}
	if !(c.Sensitivity > 0) || c.Sensitivity > 100 {
		return configErr("sensitivity %v must be in (0, 100]", c.Sensitivity)
	}
	if !(c.AdaptationRate > 0) || c.AdaptationRate > 100 {
		return configErr("adaptation rate %v must be in (0, 100]", c.AdaptationRate)
	}
	if c.ExactDistinct < 1 {
		return configErr("exact distinct limit %d must be positive", c.ExactDistinct)
	}
	if c.TimeZone != "" {
		if _, err := time.LoadLocation(c.TimeZone); err != nil {
			return configErr("analysis_config.time_zone %q: %v", c.TimeZone, err)
		}
	}
	if len(c.Detectors) == 0 {
		return configErr("analysis_config.detectors: a job needs at least one detector")
	}
	if len(c.Detectors) > 1000 {
		return configErr("analysis_config.detectors: %d detectors, at most 1000", len(c.Detectors))
	}
	if len(c.Influencers) > 255 {
		return configErr("analysis_config.influencers: %d influencers, at most 255", len(c.Influencers))
	}
	seen := map[string]int{}
	for i, inf := range c.Influencers {
		if inf == "" {
			return configErr("analysis_config.influencers[%d] is empty", i)
		}
		if k, dup := seen[inf]; dup {
			return configErr("analysis_config.influencers[%d] %q repeats influencers[%d]", i, inf, k)
		}
		seen[inf] = i
	}
	dets := map[string]int{}
	for i := range c.Detectors {
		if err := c.Detectors[i].validate(i, c.SummaryCountField); err != nil {
			return err
		}
		d := c.Detectors[i]
		key := strings.Join([]string{d.Function, d.FieldName, d.ByFieldName, d.OverFieldName, d.PartitionFieldName, d.ExcludeFrequent, fmt.Sprint(d.UseNull), d.TimeZone}, "\x00")
		if k, dup := dets[key]; dup {
			return configErr("analysis_config.detectors[%d] duplicates detectors[%d]: duplicate detectors are not allowed", i, k)
		}
		dets[key] = i
	}
	return c.validateRules()
}

func (d *Detector) validate(i int, summaryField string) error {
	at := fmt.Sprintf("analysis_config.detectors[%d]", i)
	if d.Function == "" {
		return configErr("%s.function is missing", at)
	}
	f, ok := functions[d.Function]
	switch {
	case ok:
	case comingFunctions[d.Function]:
		if (d.Function == "rare" || d.Function == "freq_rare") && d.ByFieldName == "" {
			return configErr("%s: function %q requires by_field_name", at, d.Function)
		}
		if d.Function == "freq_rare" && d.OverFieldName == "" {
			return configErr("%s: function %q requires over_field_name", at, d.Function)
		}
		return check.Errorf(pkg, ErrUnsupported, "%s.function %q is not yet supported by Vigil", at, d.Function)
	case otherElasticFunctions[d.Function]:
		return check.Errorf(pkg, ErrUnsupported, "%s.function %q is an Elastic function Vigil does not support", at, d.Function)
	default:
		return configErr("%s.function %q is not a known function", at, d.Function)
	}
	if f.needsField && d.FieldName == "" {
		return configErr("%s: function %q requires field_name", at, d.Function)
	}
	if !f.needsField && d.FieldName != "" {
		return configErr("%s: field_name cannot be used with function %q", at, d.Function)
	}
	names := []struct{ what, v string }{{"by_field_name", d.ByFieldName}, {"over_field_name", d.OverFieldName}, {"partition_field_name", d.PartitionFieldName}}
	for a := range names {
		for b := a + 1; b < len(names); b++ {
			if names[a].v != "" && names[a].v == names[b].v {
				return configErr("%s: %s and %s cannot be the same (%q)", at, names[a].what, names[b].what, names[a].v)
			}
		}
		if names[a].v != "" && names[a].v == d.FieldName {
			return configErr("%s: %s cannot be the same as field_name (%q)", at, names[a].what, d.FieldName)
		}
		if names[a].v != "" && names[a].v == summaryField {
			return configErr("%s: %s cannot be summary_count_field_name (%q)", at, names[a].what, summaryField)
		}
	}
	switch d.ExcludeFrequent {
	case "", "none", "all", "by", "over":
	default:
		return configErr("%s.exclude_frequent %q must be one of all, none, by, over", at, d.ExcludeFrequent)
	}
	if d.OverFieldName != "" {
		if !f.population {
			return configErr("%s: over_field_name cannot be used with function %q", at, d.Function)
		}
	}
	if err := d.validateMetric(at, summaryField); err != nil {
		return err
	}
	return d.validateExt(at)
}
