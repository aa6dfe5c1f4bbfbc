// Command jobrun runs one Elastic anomaly-detection job over NDJSON events,
// with no cluster:
//
//	go run ./examples/jobrun -job JOB.json -events EVENTS.ndjson [-out RECORDS.ndjson] [-buckets FILE] [-influencers FILE]
//	    [-datafeed DATAFEED.json] [-job-id ID]
//
// JOB.json is an Elastic job (the create-job body, optionally with a
// datafeed_config whose query filters the events; the get-jobs API's
// answer; a Kibana module's job file), or a document of several jobs (the
// Kibana modules API's answer, an integration package's ml_module saved
// object, Kibana's job export, a Kibana module directory's manifest.json,
// whose job and datafeed files are read from its ml/ folder), from which
// -job-id picks one with its datafeed. -datafeed reads the job's datafeed
// from its own file (a Kibana module's datafeed_*.json), as Elastic keeps
// them. A job without a job_id takes -job-id, or else the file's name
// without .json. timeseries' package doc lists which job and datafeed
// settings are applied, ignored or refused. EVENTS.ndjson holds one
// JSON document per line with dotted ECS field names (nested objects or
// literal dotted keys) and the time in the job's data_description
// (default: an RFC 3339 @timestamp). Every record result with record_score
// ≥ 1 is written as NDJSON to -out (stdout by default); -buckets writes
// every bucket result and, last, the job's model_size_stats, -influencers
// every influencer result. A summary goes
// to stderr. Bad lines are reported with their line number and counted;
// they never stop the run.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigil-ml/vigil/timeseries"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "jobrun:", err)
		os.Exit(1)
	}
}

// summary is what run counted.
type summary struct {
	lines, events, filtered, bad, late, buckets, records int64
	decode                                               time.Duration
}

const maxReported = 20

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jobrun", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jobPath := fs.String("job", "", "Elastic job JSON file (required)")
	evPath := fs.String("events", "", "NDJSON events file (required; - for stdin)")
	outPath := fs.String("out", "", "record results NDJSON (default stdout)")
	bucketsPath := fs.String("buckets", "", "bucket results NDJSON (optional)")
	inflPath := fs.String("influencers", "", "influencer results NDJSON (optional)")
	minScore := fs.Float64("min-score", 1, "write records with record_score at least this")
	dfPath := fs.String("datafeed", "", "Elastic datafeed JSON file for the job (optional)")
	jobID := fs.String("job-id", "", "the job to run from a module of several (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *jobPath == "" || *evPath == "" {
		fs.Usage()
		return errors.New("-job and -events are required")
	}
	job, err := loadJob(*jobPath, *dfPath, *jobID)
	if err != nil {
		return err
	}
	eng, err := timeseries.New(job)
	if err != nil {
		return fmt.Errorf("%s: %w", *jobPath, err)
	}
	var in io.Reader = os.Stdin
	if *evPath != "-" {
		f, err := os.Open(*evPath)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	out, closeOut, err := create(*outPath, stdout)
	if err != nil {
		return err
	}
	defer closeOut()
	bw, closeB, err := create(*bucketsPath, nil)
	if err != nil {
		return err
	}
	defer closeB()
	iw, closeI, err := create(*inflPath, nil)
	if err != nil {
		return err
	}
	defer closeI()

	rd, err := timeseries.NewNDJSONReader(in, eng.Job(), eng.Fields())
	if err != nil {
		return err
	}
	var sum summary
	var buf []byte
	emit := func(res []timeseries.BucketResult) error {
		for i := range res {
			b := &res[i]
			sum.buckets++
			if bw != nil {
				buf = append(b.AppendJSON(buf[:0]), '\n')
				if _, err := bw.Write(buf); err != nil {
					return err
				}
			}
			for k := range b.Records {
				if b.Records[k].RecordScore < *minScore {
					continue
				}
				sum.records++
				buf = append(b.Records[k].AppendJSON(buf[:0]), '\n')
				if _, err := out.Write(buf); err != nil {
					return err
				}
			}
			if iw != nil {
				for k := range b.Influencers {
					buf = append(b.Influencers[k].AppendJSON(buf[:0]), '\n')
					if _, err := iw.Write(buf); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	report := func(line int, err error) {
		sum.bad++
		if sum.bad <= maxReported {
			fmt.Fprintf(stderr, "jobrun: line %d: %v\n", line, err)
		} else if sum.bad == maxReported+1 {
			fmt.Fprintln(stderr, "jobrun: further bad lines are counted, not shown")
		}
	}
	start := time.Now()
	for {
		t0 := time.Now()
		ev, err := rd.Next()
		sum.decode += time.Since(t0)
		if err == io.EOF {
			break
		}
		var le *timeseries.LineError
		if errors.As(err, &le) {
			sum.lines++
			report(le.Line, le.Err)
			continue
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", *evPath, err)
		}
		sum.lines++
		res, err := eng.Observe(ev)
		if err != nil {
			if errors.Is(err, timeseries.ErrLate) {
				sum.late++
				continue
			}
			report(rd.Line(), err)
			continue
		}
		if err := emit(res); err != nil {
			return err
		}
	}
	res, err := eng.Flush()
	if err != nil {
		return err
	}
	if err := emit(res); err != nil {
		return err
	}
	elapsed := time.Since(start)
	st := eng.Stats()
	ms := eng.ModelSizeStats()
	if bw != nil { // Elastic's model_size_stats closes the bucket results
		buf = append(ms.AppendJSON(buf[:0]), '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	rate := 0.0
	if sum.decode > 0 {
		rate = float64(sum.lines) / sum.decode.Seconds()
	}
	fmt.Fprintf(stderr, "jobrun: job %q: %d lines read, %d events analysed, %d filtered by the datafeed query, %d bad lines, %d late events dropped\n",
		eng.Job().ID, sum.lines, st.Events, st.Filtered, sum.bad, sum.late)
	fmt.Fprintf(stderr, "jobrun: %d buckets, %d records with record_score ≥ %g, %.3f s (%.0f lines/s decoded, %.0f events/s overall)\n",
		sum.buckets, sum.records, *minScore, elapsed.Seconds(), rate, float64(sum.lines)/elapsed.Seconds())
	fmt.Fprintf(stderr, "jobrun: memory: model_bytes %d of %d (%s), %d series, %d partitions, %d entities refused, %d pruned; Go heap %d MiB\n",
		ms.ModelBytes, ms.MemoryLimit, ms.MemoryStatus, ms.Series, ms.Partitions, ms.AllocationFailures, ms.Pruned, mem.HeapAlloc>>20)
	if st.MissingField > 0 {
		fmt.Fprintf(stderr, "jobrun: %d (event, detector) pairs lacked the detector's fields and were skipped by that detector\n", st.MissingField)
	}
	return nil
}

// loadJob reads the job (picked by id from a module if id is set) and its
// datafeed file if any.
func loadJob(jobPath, dfPath, id string) (timeseries.Job, error) {
	data, err := os.ReadFile(jobPath)
	if err != nil {
		return timeseries.Job{}, err
	}
	if mj, mdf, mid, ok, err := fromManifest(jobPath, data, id); ok || err != nil {
		if err != nil {
			return timeseries.Job{}, err
		}
		if dfPath == "" {
			dfPath = mdf
		}
		jobPath, id = mj, mid
		if data, err = os.ReadFile(jobPath); err != nil {
			return timeseries.Job{}, err
		}
	}
	var job timeseries.Job
	if id != "" {
		job, err = timeseries.ParseElasticJob(bytes.NewReader(data), id)
	} else {
		job, err = timeseries.ParseElasticJSON(bytes.NewReader(data))
	}
	if err != nil {
		return job, fmt.Errorf("%s: %w", jobPath, err)
	}
	if job.ID == "" { // Kibana names a module's jobs after their files
		job.ID = strings.TrimSuffix(filepath.Base(jobPath), ".json")
	}
	if dfPath != "" {
		df, err := os.Open(dfPath)
		if err != nil {
			return job, err
		}
		defer df.Close()
		if err := timeseries.ParseElasticDatafeed(df, &job); err != nil {
			return job, fmt.Errorf("%s: %w", dfPath, err)
		}
	}
	return job, nil
}

// fromManifest resolves a Kibana module manifest ({"jobs": [{"id",
// "file"}], "datafeeds": [{"id", "file", "job_id"}]}): the job file of id
// (or of the only job) and its datafeed file, looked up in the manifest's
// ml/ folder as Kibana keeps them, or beside it. ok is false for anything
// but a manifest.
func fromManifest(path string, data []byte, id string) (job, datafeed, jobID string, ok bool, err error) {
	v, err := fastjson.ParseBytes(data)
	if err != nil || len(v.GetArray("jobs")) == 0 || v.Get("jobs", "0", "file") == nil {
		return "", "", "", false, nil
	}
	dir := filepath.Dir(path)
	resolve := func(f string) string {
		if p := filepath.Join(dir, "ml", f); fileExists(p) {
			return p
		}
		return filepath.Join(dir, f)
	}
	jobs := v.GetArray("jobs")
	var ids []string
	pick := -1
	for i, j := range jobs {
		ids = append(ids, string(j.GetStringBytes("id")))
		if ids[i] == id || id == "" && len(jobs) == 1 {
			pick = i
		}
	}
	if pick < 0 {
		return "", "", "", true, fmt.Errorf("%s: module of %d jobs (%s): pick one with -job-id", path, len(jobs), strings.Join(ids, ", "))
	}
	job = resolve(string(jobs[pick].GetStringBytes("file")))
	for _, d := range v.GetArray("datafeeds") {
		if string(d.GetStringBytes("job_id")) == ids[pick] {
			datafeed = resolve(string(d.GetStringBytes("file")))
		}
	}
	return job, datafeed, ids[pick], true, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// create opens path for writing behind a buffer; "" gives def (nil: none).
func create(path string, def io.Writer) (io.Writer, func(), error) {
	if path == "" {
		if def == nil {
			return nil, func() {}, nil
		}
		w := bufio.NewWriterSize(def, 1<<16)
		return w, func() { w.Flush() }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	return w, func() { w.Flush(); f.Close() }, nil
}
