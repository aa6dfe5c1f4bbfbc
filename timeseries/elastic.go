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
// datafeed_config.query. Settings that only concern Elastic's storage,
// scheduling and display (description, groups, custom_settings,
// results_retention_days, datafeed indices, frequency, ...) are accepted
// and have no effect; any other field, and any setting Vigil does not
// implement, is an error naming the field ("Porting Elastic jobs" in the
// package doc lists them all). It also reads the get-jobs answer and a
// Kibana module's job file or {"id", "config"} entry; a document of several
// jobs is an error listing their ids (see ParseElasticJob).
// A top-level "vigil" object may set sensitivity, adaptation_rate and
// exact_distinct, which Elastic lacks. Detectors' custom_rules are read as
// Elastic writes them; the filters their scopes name and the job's
// calendars, which Elastic stores apart from the job, are read from
// top-level "filters" ([{filter_id, description, items}]) and "calendars"
// ([{calendar_id, description, events: [{description, start_time,
// end_time}]}], times in epoch milliseconds) arrays.
func ParseElasticJSON(r io.Reader) (Job, error) {
	o, err := readObject(r)
	if err != nil {
		return Job{}, err
	}
	if ids := moduleJobIDs(o); len(ids) > 1 {
		return Job{}, configErr("job JSON holds %d jobs (%s); pick one by its id (ParseElasticJob, jobrun -job-id)", len(ids), strings.Join(ids, ", "))
	}
	jobs, err := parseElasticJobs(o, "")
	if err != nil {
		return Job{}, err
	}
	return jobs[0], nil
}

// moduleJobIDs lists the ids of a module's or get-jobs answer's jobs.
func moduleJobIDs(o *fastjson.Object) []string {
	v := o.Get("jobs")
	if a := o.Get("attributes"); a != nil {
		v = a.Get("jobs")
	}
	if v == nil || v.Type() != fastjson.TypeArray {
		return nil
	}
	arr, _ := v.Array()
	var ids []string
	for _, e := range arr {
		id := e.GetStringBytes("id")
		if len(id) == 0 {
			id = e.GetStringBytes("job_id")
		}
		if len(id) == 0 {
			id = e.GetStringBytes("config", "job_id")
		}
		if len(id) == 0 {
			id = e.GetStringBytes("job", "job_id")
		}
		ids = append(ids, string(id))
	}
	return ids
}

// ParseElasticJob reads the job with the given job_id from any document
// ParseElasticJobs reads, parsing only that job and its datafeed, so that
// a module whose other jobs Vigil refuses still yields it. A document of
// one job without a job_id (a Kibana module's job file) is that job.
func ParseElasticJob(r io.Reader, id string) (Job, error) {
	o, err := readObject(r)
	if err != nil {
		return Job{}, err
	}
	if id == "" {
		return Job{}, configErr("ParseElasticJob: empty job id")
	}
	jobs, err := parseElasticJobs(o, id)
	if err != nil {
		return Job{}, err
	}
	j := jobs[0]
	switch {
	case j.ID == "":
		j.ID = id
	case j.ID != id:
		return Job{}, configErr("job JSON holds job %q, not %q", j.ID, id)
	}
	return j, nil
}

func readObject(r io.Reader) (*fastjson.Object, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, configErr("reading job JSON: %v", err)
	}
	v, err := fastjson.ParseBytes(data)
	if err != nil {
		return nil, configErr("job JSON: %v", err)
	}
	if v.Type() == fastjson.TypeArray { // Kibana's job export: [{"job", "datafeed"}]
		var a fastjson.Arena
		w := a.NewObject()
		w.Set("jobs", v)
		v = w
	}
	o, err := v.Object()
	if err != nil {
		return nil, configErr("job JSON: want an object, got %s", v.Type())
	}
	return o, nil
}

// ParseElasticJobs reads every job of an Elastic or Kibana JSON document:
// one job as ParseElasticJSON reads it, the get-jobs API's {"count",
// "jobs": [...]}, or a Kibana ML module — the modules API's {"jobs": [{"id",
// "config"}], "datafeeds": [{"id", "job_id", "config"}]}, alone or as the
// "attributes" of an ml-module saved object as Elastic's integration
// packages ship it — or Kibana's job export, an array of {"job",
// "datafeed"}. A module job takes its id as job_id and the query of
// the datafeed naming it (ParseElasticDatafeed). The module's own
// title, description, logo, index pattern and recognition query describe
// the module and are ignored.
func ParseElasticJobs(r io.Reader) ([]Job, error) {
	o, err := readObject(r)
	if err != nil {
		return nil, err
	}
	return parseElasticJobs(o, "")
}

// parseElasticJobs tells the document shapes apart by their keys; only, if
// set, is the one job of a module to read.
func parseElasticJobs(o *fastjson.Object, only string) ([]Job, error) {
	if a := o.Get("attributes"); a != nil && string(o.Get("type").GetStringBytes()) == "ml-module" {
		p := &jparser{}
		var inner *fastjson.Object
		p.fields(o, "", map[string]func(*fastjson.Value, string){
			"attributes": func(x *fastjson.Value, at string) { inner = p.obj(x, at) },
			"id":         ignore, "type": ignore, "references": ignore, "migrationVersion": ignore,
			"coreMigrationVersion": ignore, "typeMigrationVersion": ignore, "managed": ignore,
			"updated_at": ignore, "created_at": ignore, "version": ignore, "namespaces": ignore,
		})
		if p.err != nil {
			return nil, p.err
		}
		return parseModule(inner, "attributes", only)
	}
	if o.Get("jobs") != nil {
		return parseModule(o, "", only)
	}
	if o.Get("config") != nil {
		cfg := o.Get("config")
		if cfg.Get("analysis_config") == nil && (cfg.Get("query") != nil || cfg.Get("indices") != nil) {
			return nil, configErr("job JSON is a datafeed ({id, job_id, config} with a query); give it with its job (ParseElasticDatafeed, jobrun -datafeed)")
		}
		job, err := parseModuleJob(o, "")
		if err != nil {
			return nil, err
		}
		return []Job{job}, nil
	}
	if o.Get("analysis_config") == nil && (o.Get("query") != nil || o.Get("indices") != nil) {
		return nil, configErr("job JSON is a datafeed (query, indices) with no analysis_config; give it with its job (ParseElasticDatafeed, jobrun -datafeed)")
	}
	job, err := parseJobObject(o, "")
	if err != nil {
		return nil, err
	}
	return []Job{job}, nil
}

// parseModule reads a Kibana module's (or the get-jobs API's) jobs and
// attaches to each the datafeed that names it.
func parseModule(o *fastjson.Object, at, only string) ([]Job, error) {
	if o == nil {
		return nil, configErr("%s: want an object", at)
	}
	p := &jparser{}
	var jobs []Job
	var feeds []*fastjson.Value
	var feedAt []string
	var skipped []string
	join := func(k string) string {
		if at == "" {
			return k
		}
		return at + "." + k
	}
	p.fields(o, at, map[string]func(*fastjson.Value, string){
		"jobs": func(x *fastjson.Value, here string) {
			arr, err := x.Array()
			if err != nil {
				p.check(configErr("%s: want an array", here))
				return
			}
			for i, e := range arr {
				ei := fmt.Sprintf("%s[%d]", here, i)
				eo := p.obj(e, ei)
				if p.err != nil {
					return
				}
				if only != "" {
					id := string(e.GetStringBytes("id"))
					if id == "" {
						id = string(e.GetStringBytes("job_id"))
					}
					if id == "" {
						id = string(e.GetStringBytes("config", "job_id"))
					}
					if id == "" {
						id = string(e.GetStringBytes("job", "job_id"))
					}
					if id != only {
						skipped = append(skipped, id)
						continue
					}
				}
				if f := e.Get("file"); f != nil {
					p.check(configErr("%s names the file %s: this is a Kibana module manifest; parse the job and datafeed files it names (jobrun -job reads the manifest)", ei, f))
					return
				}
				var job Job
				var err error
				switch {
				case eo.Get("job") != nil: // an entry of Kibana's job export
					job, err = parseExportEntry(eo, ei)
				case eo.Get("config") != nil:
					job, err = parseModuleJob(eo, ei)
				default:
					job, err = parseJobObject(eo, ei)
				}
				if err != nil {
					p.check(err)
					return
				}
				jobs = append(jobs, job)
			}
		},
		"datafeeds": func(x *fastjson.Value, here string) {
			arr, err := x.Array()
			if err != nil {
				p.check(configErr("%s: want an array", here))
				return
			}
			for i, e := range arr {
				feeds = append(feeds, e)
				feedAt = append(feedAt, fmt.Sprintf("%s[%d]", here, i))
			}
		},
		// What describes the module, not its jobs.
		"count": ignore, "id": ignore, "title": ignore, "description": ignore, "type": ignore,
		"logo": ignore, "logoFile": ignore, "defaultIndexPattern": ignore, "query": ignore,
		"kibana": ignore, "tags": ignore, "isSystem": ignore,
	})
	if p.err != nil {
		return nil, p.err
	}
	if len(jobs) == 0 {
		if only != "" {
			return nil, configErr("%s holds no job %q (it holds %s)", join("jobs"), only, strings.Join(skipped, ", "))
		}
		return nil, configErr("%s holds no job", join("jobs"))
	}
	for i, f := range feeds {
		fo := p.obj(f, feedAt[i])
		if p.err != nil {
			return nil, p.err
		}
		id := string(fo.Get("job_id").GetStringBytes())
		if id == "" {
			if c := fo.Get("config"); c != nil {
				id = string(c.GetStringBytes("job_id"))
			}
		}
		k := -1
		for j := range jobs {
			if jobs[j].ID == id {
				k = j
			}
		}
		if k < 0 && only != "" {
			continue // another job's datafeed
		}
		if k < 0 {
			return nil, configErr("%s: job_id %q names no job of the module", feedAt[i], id)
		}
		if err := parseDatafeedObject(fo, feedAt[i], &jobs[k]); err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

// parseExportEntry reads {"job", "datafeed"}, an entry of the file
// Kibana's "Export jobs" writes.
func parseExportEntry(o *fastjson.Object, at string) (Job, error) {
	p := &jparser{}
	var jo, do *fastjson.Object
	p.fields(o, at, map[string]func(*fastjson.Value, string){
		"job":      func(x *fastjson.Value, here string) { jo = p.obj(x, here) },
		"datafeed": func(x *fastjson.Value, here string) { do = p.obj(x, here) },
	})
	if p.err != nil {
		return Job{}, p.err
	}
	job, err := parseJobObject(jo, at+".job")
	if err != nil || do == nil {
		return job, err
	}
	return job, parseDatafeedObject(do, at+".datafeed", &job)
}

// parseModuleJob reads {"id", "config"}: the job's body with the id as its
// job_id unless the body has one.
func parseModuleJob(o *fastjson.Object, at string) (Job, error) {
	p := &jparser{}
	var id string
	var cfg *fastjson.Object
	cfgAt := "config"
	if at != "" {
		cfgAt = at + ".config"
	}
	p.fields(o, at, map[string]func(*fastjson.Value, string){
		"id":     func(x *fastjson.Value, here string) { id = p.str(x, here) },
		"job_id": func(x *fastjson.Value, here string) { id = p.str(x, here) },
		"config": func(x *fastjson.Value, here string) { cfg = p.obj(x, here) },
	})
	if p.err != nil {
		return Job{}, p.err
	}
	job, err := parseJobObject(cfg, cfgAt)
	if err != nil {
		return Job{}, err
	}
	if job.ID == "" {
		job.ID = id
	}
	return job, nil
}

// ParseElasticDatafeed reads an Elastic datafeed — the create-datafeed
// body, a Kibana module's datafeed file, its {"id", "job_id", "config"}
// entry, or the get-datafeeds API's answer holding one — into job: its
// query becomes job.Query (none keeps every event). A job_id naming another
// job is an error (Kibana's placeholder "JOB_ID" names any). The
// datafeed's scheduling settings have no effect; script_fields and
// runtime_mappings that compute a field the job reads, and aggregations,
// are refused (unused ones change nothing and are ignored).
func ParseElasticDatafeed(r io.Reader, job *Job) error {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return configErr("reading datafeed JSON: %v", err)
	}
	v, err := fastjson.ParseBytes(data)
	if err != nil {
		return configErr("datafeed JSON: %v", err)
	}
	o, err := v.Object()
	if err != nil {
		return configErr("datafeed JSON: want an object, got %s", v.Type())
	}
	at := ""
	if d := o.Get("datafeeds"); d != nil {
		arr, _ := d.Array()
		if len(arr) != 1 {
			return configErr("datafeed JSON: datafeeds holds %d datafeeds, want one", len(arr))
		}
		if o, err = arr[0].Object(); err != nil {
			return configErr("datafeeds[0]: want an object")
		}
		at = "datafeeds[0]"
	}
	if o.Get("analysis_config") != nil {
		return configErr("datafeed JSON has an analysis_config: it is a job, not a datafeed")
	}
	return parseDatafeedObject(o, at, job)
}

// parseDatafeedObject reads a datafeed body or its {id, job_id, config}
// module entry into job.
func parseDatafeedObject(o *fastjson.Object, at string, job *Job) error {
	p := &jparser{}
	if o.Get("config") != nil {
		var cfg *fastjson.Object
		cfgAt := "config"
		if at != "" {
			cfgAt = at + ".config"
		}
		p.fields(o, at, map[string]func(*fastjson.Value, string){
			"id": ignore, "datafeed_id": ignore,
			"job_id": func(x *fastjson.Value, here string) { p.datafeedJob(x, here, job) },
			"config": func(x *fastjson.Value, here string) { cfg = p.obj(x, here) },
		})
		if p.err != nil {
			return p.err
		}
		o, at = cfg, cfgAt
	}
	job.Query = nil
	p.datafeed(o, at, job)
	return p.err
}

// datafeedJob checks that a datafeed's job_id names the job.
func (p *jparser) datafeedJob(x *fastjson.Value, at string, job *Job) {
	id := p.str(x, at)
	if id != "" && id != "JOB_ID" && job.ID != "" && id != job.ID {
		p.check(configErr("%s %q is not the job's id %q", at, id, job.ID))
	}
}

// datafeed reads a datafeed's settings. A datafeed hands the job its time
// field's values as epoch milliseconds, whatever the documents hold, so the
// time_format Kibana writes for datafeed jobs (epoch_ms) says nothing of the
// documents: it is read as Elasticsearch's default date format (RFC 3339
// strings or epoch milliseconds), which is how the documents' @timestamp
// is mapped unless the index says otherwise.
// Runtime and script fields the job does not read change nothing and are
// ignored; one it reads is refused, since Vigil cannot compute it.
func (p *jparser) datafeed(o *fastjson.Object, at string, job *Job) {
	if job.TimeFormat == "epoch_ms" {
		job.TimeFormat = ""
	}
	var computed [][2]string // field, where it is defined
	derived := func(x *fastjson.Value, here string) {
		if x.Type() == fastjson.TypeNull {
			return
		}
		do := p.obj(x, here)
		if do == nil {
			return
		}
		do.Visit(func(k []byte, _ *fastjson.Value) {
			computed = append(computed, [2]string{string(k), here + "." + string(k)})
		})
	}
	p.fields(o, at, map[string]func(*fastjson.Value, string){
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
		"job_id":      func(x *fastjson.Value, here string) { p.datafeedJob(x, here, job) },
		"datafeed_id": ignore, "indices": ignore, "indexes": ignore,
		"scroll_size": ignore, "frequency": ignore, "query_delay": ignore,
		"chunking_config": ignore, "delayed_data_check_config": ignore,
		"max_empty_searches": ignore, "indices_options": ignore, "authorization": ignore,
		"runtime_mappings": derived, "script_fields": derived,
		"aggregations": p.emptyOnly, "aggs": p.emptyOnly,
	})
	tf := job.TimeField
	if tf == "" {
		tf = "@timestamp"
	}
	if len(computed) > 0 && p.err == nil {
		used := map[string]bool{tf: true, job.SummaryCountField: true}
		for _, d := range job.Detectors {
			used[d.FieldName], used[d.ByFieldName], used[d.OverFieldName], used[d.PartitionFieldName] = true, true, true, true
		}
		for _, f := range job.Influencers {
			used[f] = true
		}
		if job.Query != nil {
			for _, f := range job.Query.Fields() {
				used[f] = true
			}
		}
		for _, c := range computed {
			if used[c[0]] {
				p.check(check.Errorf(pkg, ErrUnsupported, "%s: the job reads %q, a field Elastic computes with a script; Vigil does not run scripts (compute it before the job)", c[1], c[0]))
			}
		}
	}
	if job.Query != nil && p.err == nil { // New binds it; refuse here what it would
		if _, err := job.Query.withTime(tf, job.TimeFormat); err != nil {
			p.check(fmt.Errorf("%s: %w", join(at, "query"), err))
		}
	}
}

func join(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

// parseJobObject reads one job's body.
func parseJobObject(o *fastjson.Object, at string) (Job, error) {
	p := &jparser{}
	var job Job
	var feed *fastjson.Object
	var feedAt string
	p.fields(o, at, map[string]func(*fastjson.Value, string){
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
		"datafeed_config": func(x *fastjson.Value, at string) { feed, feedAt = p.obj(x, at), at }, // read last: it needs the job's id and time format
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
		"blocked": ignore, "deleting": ignore, "model_snapshot_min_version": ignore,
	})
	if feed != nil && p.err == nil {
		p.datafeed(feed, feedAt, &job)
	}
	if p.err != nil {
		return Job{}, p.err
	}
	if err := job.Validate(); err != nil {
		if at != "" { // Validate names fields from the job's body
			return Job{}, fmt.Errorf("%s: %w", at, err)
		}
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
