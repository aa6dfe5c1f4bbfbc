package timeseries

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigil-ml/vigil/internal/check"
)

// FromElasticJSON reads an Elastic anomaly-detection job (the body of the
// create-job API, optionally with a datafeed_config) and starts it. See
// ParseElasticJSON for what is read.
func FromElasticJSON(r io.Reader) (*Engine, error) {
	job, err := ParseElasticJSON(r)
	if err != nil {
		return nil, err
	}
	return New(job)
}

// ParseElasticJSON reads an Elastic job JSON into a Job: job_id,
// analysis_config (bucket_span, detectors, influencers,
// summary_count_field_name, latency, model_prune_window), analysis_limits
// (model_memory_limit), data_description (time_field, time_format) and
// datafeed_config.query. Settings that only concern Elastic's storage and
// scheduling (description, groups, results_retention_days, datafeed
// indices, frequency, ...) are accepted and have no effect; any other field,
// and any setting Vigil does not implement, is an error naming the field.
// A top-level "vigil" object may set sensitivity, adaptation_rate and
// exact_distinct, which Elastic lacks. Detectors' custom_rules are read as
// Elastic writes them; the filters their scopes name and the job's
// calendars, which Elastic stores apart from the job, are read from
// top-level "filters" ([{filter_id, description, items}]) and "calendars"
// ([{calendar_id, description, events: [{description, start_time,
// end_time}]}], times in epoch milliseconds) arrays.
func ParseElasticJSON(r io.Reader) (Job, error) {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return Job{}, configErr("reading job JSON: %v", err)
	}
	v, err := fastjson.ParseBytes(data)
	if err != nil {
		return Job{}, configErr("job JSON: %v", err)
	}
	o, err := v.Object()
	if err != nil {
		return Job{}, configErr("job JSON: want an object, got %s", v.Type())
	}
	p := &jparser{}
	var job Job
	p.fields(o, "", map[string]func(*fastjson.Value, string){
		"job_id": func(x *fastjson.Value, at string) { job.ID = p.str(x, at) },
		"analysis_config": func(x *fastjson.Value, at string) {
			p.analysisConfig(x, at, &job)
		},
		"analysis_limits": func(x *fastjson.Value, at string) {
			p.fields(p.obj(x, at), at, map[string]func(*fastjson.Value, string){
				"model_memory_limit":            func(x *fastjson.Value, at string) { job.MemoryLimit = p.byteSize(x, at) },
				"categorization_examples_limit": func(*fastjson.Value, string) {},
			})
		},
		"data_description": func(x *fastjson.Value, at string) {
			p.fields(p.obj(x, at), at, map[string]func(*fastjson.Value, string){
				"time_field": func(x *fastjson.Value, at string) { job.TimeField = p.str(x, at) },
				"time_format": func(x *fastjson.Value, at string) {
					job.TimeFormat = p.str(x, at)
					p.check(checkTimeFormat(job.TimeFormat, at))
				},
				"format": func(x *fastjson.Value, at string) {
					if f := strings.ToLower(p.str(x, at)); f != "xcontent" && f != "json" && p.err == nil {
						p.err = check.Errorf(pkg, ErrUnsupported, "%s %q is not supported (only JSON documents are)", at, f)
					}
				},
			})
		},
		"datafeed_config": func(x *fastjson.Value, at string) {
			p.fields(p.obj(x, at), at, map[string]func(*fastjson.Value, string){
				"query": func(x *fastjson.Value, at string) {
					if p.err != nil {
						return
					}
					q, err := parseQuery(x, at)
					if err != nil {
						p.err = err
						return
					}
					q.src = x.MarshalTo(nil)
					job.Query = q
				},
				"datafeed_id": ignore, "job_id": ignore, "indices": ignore, "indexes": ignore,
				"scroll_size": ignore, "frequency": ignore, "query_delay": ignore,
				"chunking_config": ignore, "delayed_data_check_config": ignore,
				"max_empty_searches": ignore, "indices_options": ignore, "authorization": ignore,
				"runtime_mappings": p.emptyOnly, "script_fields": p.emptyOnly,
				"aggregations": p.emptyOnly, "aggs": p.emptyOnly,
			})
		},
		"model_plot_config": func(x *fastjson.Value, at string) {
			p.fields(p.obj(x, at), at, map[string]func(*fastjson.Value, string){
				"enabled": func(x *fastjson.Value, at string) { job.ModelPlot = p.boolean(x, at) },
				"terms": func(x *fastjson.Value, at string) {
					for _, t := range strings.Split(p.str(x, at), ",") {
						if t = strings.TrimSpace(t); t != "" {
							job.ModelPlotTerms = append(job.ModelPlotTerms, t)
						}
					}
				},
				"annotations_enabled": ignore,
			})
		},
		"filters":   func(x *fastjson.Value, at string) { p.filters(x, at, &job) },   // Vigil's place for Elastic's filters
		"calendars": func(x *fastjson.Value, at string) { p.calendars(x, at, &job) }, // and calendars
		"vigil": func(x *fastjson.Value, at string) {
			p.fields(p.obj(x, at), at, map[string]func(*fastjson.Value, string){
				"sensitivity":     func(x *fastjson.Value, at string) { job.Sensitivity = p.num(x, at) },
				"adaptation_rate": func(x *fastjson.Value, at string) { job.AdaptationRate = p.num(x, at) },
				"exact_distinct":  func(x *fastjson.Value, at string) { job.ExactDistinct = int(p.num(x, at)) },
			})
		},
		// Storage, scheduling and bookkeeping settings: no effect on results.
		"description": ignore, "groups": ignore, "custom_settings": ignore,
		"results_index_name": ignore, "results_retention_days": ignore,
		"renormalization_window_days": ignore, "model_snapshot_retention_days": ignore,
		"daily_model_snapshot_retention_after_days": ignore, "background_persist_interval": ignore,
		"allow_lazy_open": ignore, "create_time": ignore, "job_type": ignore, "job_version": ignore,
		"created_by": ignore, "finished_time": ignore, "model_snapshot_id": ignore,
		"blocked": ignore, "deleting": ignore,
	})
	if p.err != nil {
		return Job{}, p.err
	}
	if err := job.Validate(); err != nil {
		return Job{}, err
	}
	return job, nil
}

func ignore(*fastjson.Value, string) {}

// jparser collects the first error met while walking the job JSON.
type jparser struct{ err error }

func (p *jparser) check(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *jparser) fields(o *fastjson.Object, at string, known map[string]func(*fastjson.Value, string)) {
	if o == nil || p.err != nil {
		return
	}
	o.Visit(func(k []byte, x *fastjson.Value) {
		if p.err != nil {
			return
		}
		key := string(k)
		here := key
		if at != "" {
			here = at + "." + key
		}
		f, ok := known[key]
		if !ok {
			p.err = check.Errorf(pkg, ErrUnsupported, "job JSON field %q is unknown or not supported by Vigil", here)
			return
		}
		f(x, here)
	})
}

func (p *jparser) obj(x *fastjson.Value, at string) *fastjson.Object {
	o, err := x.Object()
	if err != nil {
		p.check(configErr("%s: want an object, got %s", at, x.Type()))
		return nil
	}
	return o
}

func (p *jparser) str(x *fastjson.Value, at string) string {
	b, err := x.StringBytes()
	if err != nil {
		p.check(configErr("%s: want a string, got %s", at, x.Type()))
		return ""
	}
	return string(b)
}

func (p *jparser) num(x *fastjson.Value, at string) float64 {
	f, err := x.Float64()
	if err != nil {
		p.check(configErr("%s: want a number, got %s", at, x.Type()))
	}
	return f
}

func (p *jparser) boolean(x *fastjson.Value, at string) bool {
	b, err := x.Bool()
	if err != nil {
		p.check(configErr("%s: want true or false, got %s", at, x.Type()))
	}
	return b
}

// emptyOnly accepts an empty object or array and refuses anything else:
// Vigil cannot run scripts, runtime fields or aggregations.
func (p *jparser) emptyOnly(x *fastjson.Value, at string) {
	switch x.Type() {
	case fastjson.TypeObject:
		if o, _ := x.Object(); o.Len() == 0 {
			return
		}
	case fastjson.TypeArray:
		if a, _ := x.Array(); len(a) == 0 {
			return
		}
	case fastjson.TypeNull:
		return
	}
	p.check(check.Errorf(pkg, ErrUnsupported, "%s is not supported by Vigil (events are read as they are)", at))
}

func (p *jparser) mustBeFalse(x *fastjson.Value, at string) {
	if p.boolean(x, at) {
		p.check(check.Errorf(pkg, ErrUnsupported, "%s true is not supported by Vigil", at))
	}
}

func (p *jparser) duration(x *fastjson.Value, at string) time.Duration {
	if x.Type() == fastjson.TypeNumber { // Elastic reads bare numbers as seconds here
		return time.Duration(p.num(x, at) * float64(time.Second))
	}
	d, err := ParseElasticDuration(p.str(x, at))
	if err != nil {
		p.check(configErr("%s: %v", at, err))
	}
	return d
}

func (p *jparser) byteSize(x *fastjson.Value, at string) int64 {
	if x.Type() == fastjson.TypeNumber { // a bare number is megabytes in Elastic
		f := p.num(x, at)
		if f <= 0 || f > 1<<40 {
			p.check(configErr("%s %v out of range", at, f))
			return 0
		}
		return int64(f * (1 << 20))
	}
	n, err := ParseByteSize(p.str(x, at))
	if err != nil {
		p.check(configErr("%s: %v", at, err))
	}
	return n
}

func (p *jparser) analysisConfig(x *fastjson.Value, at string, job *Job) {
	p.fields(p.obj(x, at), at, map[string]func(*fastjson.Value, string){
		"bucket_span":        func(x *fastjson.Value, at string) { job.BucketSpan = p.duration(x, at) },
		"latency":            func(x *fastjson.Value, at string) { job.Latency = p.duration(x, at) },
		"model_prune_window": func(x *fastjson.Value, at string) { job.PruneWindow = p.duration(x, at) },
		"time_zone":          func(x *fastjson.Value, at string) { job.TimeZone = p.str(x, at) }, // Vigil's
		"summary_count_field_name": func(x *fastjson.Value, at string) {
			job.SummaryCountField = p.str(x, at)
		},
		"influencers": func(x *fastjson.Value, at string) {
			arr, err := x.Array()
			if err != nil {
				p.check(configErr("%s: want an array", at))
				return
			}
			for i, e := range arr {
				job.Influencers = append(job.Influencers, p.str(e, fmt.Sprintf("%s[%d]", at, i)))
			}
		},
		"detectors": func(x *fastjson.Value, at string) {
			arr, err := x.Array()
			if err != nil {
				p.check(configErr("%s: want an array", at))
				return
			}
			for i, e := range arr {
				job.Detectors = append(job.Detectors, p.detector(e, fmt.Sprintf("%s[%d]", at, i)))
			}
		},
		"multivariate_by_fields":    func(x *fastjson.Value, at string) { p.mustBeFalse(x, at) },
		"categorization_field_name": unsupported(p),
		"categorization_filters":    unsupported(p),
		"categorization_analyzer":   unsupported(p),
		"per_partition_categorization": func(x *fastjson.Value, at string) {
			p.fields(p.obj(x, at), at, map[string]func(*fastjson.Value, string){
				"enabled":      func(x *fastjson.Value, at string) { p.mustBeFalse(x, at) },
				"stop_on_warn": ignore,
			})
		},
	})
}

func unsupported(p *jparser) func(*fastjson.Value, string) {
	return func(_ *fastjson.Value, at string) {
		p.check(check.Errorf(pkg, ErrUnsupported, "%s is not supported by Vigil (categorization)", at))
	}
}

func (p *jparser) detector(x *fastjson.Value, at string) Detector {
	var d Detector
	p.fields(p.obj(x, at), at, map[string]func(*fastjson.Value, string){
		"function":             func(x *fastjson.Value, at string) { d.Function = p.str(x, at) },
		"field_name":           func(x *fastjson.Value, at string) { d.FieldName = p.str(x, at) },
		"by_field_name":        func(x *fastjson.Value, at string) { d.ByFieldName = p.str(x, at) },
		"over_field_name":      func(x *fastjson.Value, at string) { d.OverFieldName = p.str(x, at) },
		"partition_field_name": func(x *fastjson.Value, at string) { d.PartitionFieldName = p.str(x, at) },
		"exclude_frequent":     func(x *fastjson.Value, at string) { d.ExcludeFrequent = strings.ToLower(p.str(x, at)) },
		"use_null":             func(x *fastjson.Value, at string) { d.UseNull = p.boolean(x, at) },
		"detector_description": func(x *fastjson.Value, at string) { d.Description = p.str(x, at) },
		"time_zone":            func(x *fastjson.Value, at string) { d.TimeZone = p.str(x, at) }, // Vigil's
		"detector_index":       ignore,
		"custom_rules":         func(x *fastjson.Value, at string) { d.Rules = p.customRules(x, at) },
	})
	return d
}

// ParseElasticDuration parses an Elastic time value: an integer followed by
// one of nanos, micros, ms, s, m, h, d ("5m", "90s", "1d").
func ParseElasticDuration(s string) (time.Duration, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("time value %q must start with an integer", s)
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("time value %q: %v", s, err)
	}
	units := map[string]time.Duration{
		"nanos": time.Nanosecond, "micros": time.Microsecond, "ms": time.Millisecond,
		"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour,
	}
	u, ok := units[strings.ToLower(s[i:])]
	if !ok {
		return 0, fmt.Errorf("time value %q has unknown unit %q (nanos, micros, ms, s, m, h, d)", s, s[i:])
	}
	if n > math.MaxInt64/int64(u) {
		return 0, fmt.Errorf("time value %q overflows", s)
	}
	return time.Duration(n) * u, nil
}

// ParseByteSize parses an Elastic byte size ("1024mb", "1gb", "512kb",
// "100b"; units are powers of 1024).
func ParseByteSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	f, err := strconv.ParseFloat(t[:i], 64)
	if i == 0 || err != nil {
		return 0, fmt.Errorf("byte size %q must start with a number", s)
	}
	mult := map[string]float64{"": 1 << 20, "b": 1, "kb": 1 << 10, "k": 1 << 10, "mb": 1 << 20, "m": 1 << 20,
		"gb": 1 << 30, "g": 1 << 30, "tb": 1 << 40, "t": 1 << 40, "pb": 1 << 50, "p": 1 << 50}
	m, ok := mult[strings.TrimSpace(t[i:])]
	if !ok {
		return 0, fmt.Errorf("byte size %q has unknown unit %q (b, kb, mb, gb, tb, pb)", s, t[i:])
	}
	v := f * m
	if v < 1 || v > 1<<62 {
		return 0, fmt.Errorf("byte size %q out of range", s)
	}
	return int64(v), nil
}
